package dev.tern.agent.dataplane;

import dev.tern.agent.common.AgentException;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The WireGuard cross-platform UAPI text protocol (wireguard.com/xplatform): {@code key=value} lines, keys in hex,
 * a blank line ends a request or a response. Pure text in and out so it can be tested without a device.
 */
final class Uapi {
    private static final HexFormat HEX = HexFormat.of();

    private Uapi() {
    }

    /** Sets the device's private key and port and replaces all its peers with {@code peers}. */
    static String setDevice(byte[] privateKey, int listenPort, List<WgPeer> peers) {
        StringBuilder out = new StringBuilder("set=1\n");
        out.append("private_key=").append(HEX.formatHex(privateKey)).append('\n');
        out.append("listen_port=").append(listenPort).append('\n');
        out.append("replace_peers=true\n");
        for (WgPeer peer : peers) {
            appendPeer(out, peer);
        }
        return out.append('\n').toString();
    }

    /** Applies a diff: peers not named in it are left untouched (no handshake reset). */
    static String applyDiff(PeerDiff diff) {
        StringBuilder out = new StringBuilder("set=1\n");
        for (String removed : diff.removed()) {
            out.append("public_key=").append(keyHex(removed)).append('\n').append("remove=true\n");
        }
        for (WgPeer peer : diff.added()) {
            appendPeer(out, peer);
        }
        for (WgPeer peer : diff.changed()) {
            appendPeer(out, peer);
        }
        return out.append('\n').toString();
    }

    static String get() {
        return "get=1\n\n";
    }

    private static void appendPeer(StringBuilder out, WgPeer peer) {
        out.append("public_key=").append(keyHex(peer.publicKey())).append('\n');
        if (peer.endpoint() != null) {
            out.append("endpoint=").append(peer.endpoint()).append('\n');
        }
        out.append("persistent_keepalive_interval=").append(peer.keepaliveSeconds()).append('\n');
        // replace_allowed_ips only swaps the peer's routing entries; the session and its keys stay.
        out.append("replace_allowed_ips=true\n");
        for (String allowedIp : peer.allowedIps()) {
            out.append("allowed_ip=").append(allowedIp).append('\n');
        }
    }

    /**
     * Checks the {@code errno} line of a response.
     *
     * @throws AgentException when the device reports an error
     */
    static void requireSuccess(String response) {
        Map<String, String> last = new LinkedHashMap<>();
        for (String line : response.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                last.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        String errno = last.get("errno");
        if (errno == null) {
            throw new AgentException(AgentException.FAILURE, "WireGuard UAPI answered without errno");
        }
        if (!"0".equals(errno)) {
            throw new AgentException(AgentException.FAILURE, "WireGuard UAPI rejected the configuration (errno=" + errno + ")");
        }
    }

    /** Parses a {@code get=1} response. */
    static DeviceState parseGet(String response) {
        requireSuccess(response);
        int listenPort = 0;
        String devicePublicKey = null;
        Map<String, DeviceState.PeerStats> peers = new LinkedHashMap<>();
        PeerBuilder current = null;
        for (String line : response.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            switch (key) {
                case "private_key" -> {
                    if (current == null) {
                        devicePublicKey = Base64.getEncoder().encodeToString(
                                dev.tern.protocol.crypto.NaclBox.publicKeyOf(HEX.parseHex(value)));
                    }
                }
                case "listen_port" -> listenPort = Integer.parseInt(value);
                case "public_key" -> {
                    if (current != null) {
                        peers.put(current.publicKey, current.build());
                    }
                    current = new PeerBuilder(keyBase64(value));
                }
                case "endpoint" -> current(current, key).endpoint = value;
                case "allowed_ip" -> current(current, key).allowedIps.add(value);
                case "last_handshake_time_sec" -> current(current, key).handshake = Long.parseLong(value);
                case "rx_bytes" -> current(current, key).rx = Long.parseLong(value);
                case "tx_bytes" -> current(current, key).tx = Long.parseLong(value);
                case "persistent_keepalive_interval" -> current(current, key).keepalive = Integer.parseInt(value);
                default -> {
                    // protocol_version, last_handshake_time_nsec, fwmark, errno: not needed
                }
            }
        }
        if (current != null) {
            peers.put(current.publicKey, current.build());
        }
        return new DeviceState(listenPort, devicePublicKey, peers);
    }

    private static PeerBuilder current(PeerBuilder current, String key) {
        if (current == null) {
            throw new AgentException(AgentException.FAILURE, "WireGuard UAPI sent " + key + " before any public_key");
        }
        return current;
    }

    static String keyHex(String base64Key) {
        byte[] raw = Base64.getDecoder().decode(base64Key);
        if (raw.length != 32) {
            throw new IllegalArgumentException("WireGuard key must be 32 bytes");
        }
        return HEX.formatHex(raw);
    }

    static String keyBase64(String hexKey) {
        return Base64.getEncoder().encodeToString(HEX.parseHex(hexKey));
    }

    private static final class PeerBuilder {
        final String publicKey;
        String endpoint;
        final List<String> allowedIps = new ArrayList<>();
        long handshake;
        long rx;
        long tx;
        int keepalive;

        PeerBuilder(String publicKey) {
            this.publicKey = publicKey;
        }

        DeviceState.PeerStats build() {
            return new DeviceState.PeerStats(publicKey, endpoint, List.copyOf(allowedIps), handshake, rx, tx, keepalive);
        }
    }
}

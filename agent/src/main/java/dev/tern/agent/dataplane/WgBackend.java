package dev.tern.agent.dataplane;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How peers reach the device: the UAPI socket of wireguard-go, or the {@code wg} tool for kernel WireGuard. */
public interface WgBackend {
    void setDevice(byte[] privateKey, int listenPort, List<WgPeer> peers);

    void apply(PeerDiff diff);

    DeviceState read();

    /** wireguard-go: everything through its UAPI socket. */
    public final class UapiBackend implements WgBackend {
        private final UapiSocket socket;

        public UapiBackend(UapiSocket socket) {
            this.socket = socket;
        }

        @Override
        public void setDevice(byte[] privateKey, int listenPort, List<WgPeer> peers) {
            Uapi.requireSuccess(socket.exchange(Uapi.setDevice(privateKey, listenPort, peers)));
        }

        @Override
        public void apply(PeerDiff diff) {
            if (!diff.isEmpty()) {
                Uapi.requireSuccess(socket.exchange(Uapi.applyDiff(diff)));
            }
        }

        @Override
        public DeviceState read() {
            return Uapi.parseGet(socket.exchange(Uapi.get()));
        }
    }

    /** Kernel WireGuard: no UAPI socket, so {@code wg set} / {@code wg show dump}. */
    final class WgToolBackend implements WgBackend {
        private final String iface;
        private final Shell shell;

        WgToolBackend(String iface, Shell shell) {
            this.iface = iface;
            this.shell = shell;
        }

        @Override
        public void setDevice(byte[] privateKey, int listenPort, List<WgPeer> peers) {
            // The key goes through stdin, never through argv where any user could read it in /proc.
            shell.check("wg set private key", List.of("wg", "set", iface, "listen-port", Integer.toString(listenPort),
                    "private-key", "/dev/stdin"), Base64.getEncoder().encodeToString(privateKey) + "\n");
            DeviceState existing = read();
            apply(new PeerDiff(peers, List.of(), existing.peers().keySet().stream()
                    .filter(k -> peers.stream().noneMatch(p -> p.publicKey().equals(k))).toList()));
        }

        @Override
        public void apply(PeerDiff diff) {
            if (diff.isEmpty()) {
                return;
            }
            shell.check("wg set peers", setCommand(iface, diff), null);
        }

        static List<String> setCommand(String iface, PeerDiff diff) {
            List<String> command = new ArrayList<>(List.of("wg", "set", iface));
            for (String removed : diff.removed()) {
                command.addAll(List.of("peer", removed, "remove"));
            }
            List<WgPeer> upserts = new ArrayList<>(diff.added());
            upserts.addAll(diff.changed());
            for (WgPeer peer : upserts) {
                command.addAll(List.of("peer", peer.publicKey()));
                if (peer.endpoint() != null) {
                    command.addAll(List.of("endpoint", peer.endpoint()));
                }
                command.addAll(List.of("persistent-keepalive", Integer.toString(peer.keepaliveSeconds()),
                        "allowed-ips", String.join(",", peer.allowedIps())));
            }
            return command;
        }

        @Override
        public DeviceState read() {
            return parseDump(shell.check("wg show dump", List.of("wg", "show", iface, "dump"), null));
        }

        /** Parses {@code wg show <iface> dump}: a device line, then one tab-separated line per peer. */
        static DeviceState parseDump(String dump) {
            String[] lines = dump.strip().split("\n");
            String[] device = lines[0].split("\t");
            Map<String, DeviceState.PeerStats> peers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split("\t");
                if (f.length < 8) {
                    continue;
                }
                List<String> allowed = "(none)".equals(f[3]) || f[3].isEmpty() ? List.of() : List.of(f[3].split(","));
                peers.put(f[0], new DeviceState.PeerStats(f[0], "(none)".equals(f[2]) ? null : f[2], allowed,
                        Long.parseLong(f[4]), Long.parseLong(f[5]), Long.parseLong(f[6]),
                        "off".equals(f[7]) ? 0 : Integer.parseInt(f[7])));
            }
            return new DeviceState(Integer.parseInt(device[2]), device[1], peers);
        }
    }
}

package dev.tern.api.datapath;

import dev.tern.api.config.TernSettings;
import dev.tern.events.values.WireGuardKey;
import dev.tern.protocol.management.HostConfig;
import dev.tern.protocol.management.NetbirdConfig;
import dev.tern.protocol.management.RelayConfig;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayToken;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where peers find signal, STUN and the relay, with a relay token of their own: what Login, every Sync response and
 * the periodic config resend hand out. Configured external nodes ({@code TERN_SIGNAL_URL}, {@code TERN_STUN_URLS},
 * {@code TERN_RELAY_URLS}) are handed out as given; the {@link EmbeddedDataPathNode}'s services at the host the
 * peer used to reach the management service — the one address we know it can reach.
 */
public final class PeerDataPathConfig {
    private final URI externalSignal;
    private final List<HostConfig> externalStuns;
    private final List<String> externalRelays;
    private final boolean stunInProcess;
    private final boolean relayInProcess;
    private final EmbeddedDataPathNode node;

    public PeerDataPathConfig(TernSettings settings, EmbeddedDataPathNode node) {
        this.externalSignal = settings.dataPath().signalUrl().orElse(null);
        this.externalStuns = settings.dataPath().stunUrls().stream()
                .map(url -> HostConfig.newBuilder().setUri(url.toString()).setProtocol(HostConfig.Protocol.UDP).build())
                .toList();
        this.externalRelays = settings.dataPath().relayUrls().stream().map(URI::toString).toList();
        this.stunInProcess = settings.dataPath().runsStunInProcess();
        this.relayInProcess = settings.dataPath().runsRelayInProcess();
        this.node = node;
    }

    /** Signal, STUN and relay for the peer with {@code peerKey} that reached us at {@code managementHost}. */
    public NetbirdConfig netbirdConfig(String managementHost, WireGuardKey peerKey) {
        NetbirdConfig.Builder config = NetbirdConfig.newBuilder()
                .setSignal(signal(managementHost))
                .addAllStuns(stuns(managementHost));
        relay(managementHost, peerKey).ifPresent(config::setRelay);
        return config.build();
    }

    /** How long a handed-out relay token stays valid. */
    public Duration tokenLifetime() {
        return node.tokens().lifetime();
    }

    /** The signal address for a peer that reached us at {@code managementHost} (from the call's authority). */
    HostConfig signal(String managementHost) {
        if (externalSignal != null) {
            boolean https = "https".equals(externalSignal.getScheme());
            int port = externalSignal.getPort() > 0 ? externalSignal.getPort() : (https ? 443 : 80);
            return HostConfig.newBuilder()
                    .setUri(hostPort(externalSignal.getHost(), port))
                    .setProtocol(https ? HostConfig.Protocol.HTTPS : HostConfig.Protocol.HTTP)
                    .build();
        }
        return HostConfig.newBuilder()
                .setUri(hostPort(hostOrLocalhost(managementHost), node.signalPort()))
                .setProtocol(node.usesTls() ? HostConfig.Protocol.HTTPS : HostConfig.Protocol.HTTP)
                .build();
    }

    /** The STUN servers for a peer that reached us at {@code managementHost}; empty when there are none. */
    List<HostConfig> stuns(String managementHost) {
        if (!externalStuns.isEmpty()) {
            return externalStuns;
        }
        if (!stunInProcess) {
            return List.of();
        }
        return List.of(HostConfig.newBuilder()
                .setUri("stun:" + hostPort(hostOrLocalhost(managementHost), node.stunPort()))
                .setProtocol(HostConfig.Protocol.UDP)
                .build());
    }

    /**
     * The relays for the peer with {@code peerKey} that reached us at {@code managementHost}, with a token freshly
     * issued for that peer only; empty when no relay is configured (an external signal node without
     * {@code TERN_RELAY_URLS}).
     */
    Optional<RelayConfig> relay(String managementHost, WireGuardKey peerKey) {
        List<String> urls;
        if (!externalRelays.isEmpty()) {
            urls = externalRelays;
        } else if (relayInProcess) {
            urls = List.of((node.usesTls() ? "rels://" : "rel://")
                    + hostPort(hostOrLocalhost(managementHost), node.relayPort()));
        } else {
            return Optional.empty();
        }
        RelayToken token = node.tokens().issue(PeerId.ofPublicKey(peerKey.base64()));
        return Optional.of(RelayConfig.newBuilder()
                .addAllUrls(urls)
                .setTokenPayload(token.payload())
                .setTokenSignature(token.signatureBase64())
                .build());
    }

    static String hostPort(String host, int port) {
        // URI.getHost keeps IPv6 brackets; a bare IPv6 address from an authority needs them added.
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    private static String hostOrLocalhost(String host) {
        return host == null || host.isBlank() ? "localhost" : host;
    }
}

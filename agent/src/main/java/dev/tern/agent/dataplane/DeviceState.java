package dev.tern.agent.dataplane;

import java.util.List;
import java.util.Map;

/** What a WireGuard device reports about itself: its port and, per peer public key (base64), its counters. */
public record DeviceState(int listenPort, String publicKey, Map<String, PeerStats> peers) {

    public record PeerStats(String publicKey, String endpoint, List<String> allowedIps, long lastHandshakeEpochSeconds,
                     long rxBytes, long txBytes, int keepaliveSeconds) {
    }
}

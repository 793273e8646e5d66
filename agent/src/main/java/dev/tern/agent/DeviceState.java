package dev.tern.agent;

import java.util.List;
import java.util.Map;

/** What a WireGuard device reports about itself: its port and, per peer public key (base64), its counters. */
record DeviceState(int listenPort, String publicKey, Map<String, PeerStats> peers) {

    record PeerStats(String publicKey, String endpoint, List<String> allowedIps, long lastHandshakeEpochSeconds,
                     long rxBytes, long txBytes, int keepaliveSeconds) {
    }
}

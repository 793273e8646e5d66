package dev.tern.agent.dataplane;

import java.util.List;
import java.util.Objects;

/**
 * One WireGuard peer as the agent wants it configured. {@code endpoint} is {@code host:port} (IPv6 in brackets) or
 * null while signal has not told us where the peer listens; allowed IPs are kept sorted so that equality means
 * "nothing to change on the device".
 */
public record WgPeer(String publicKey, List<String> allowedIps, String endpoint, int keepaliveSeconds) {
    public WgPeer {
        Objects.requireNonNull(publicKey, "publicKey");
        allowedIps = allowedIps.stream().sorted().distinct().toList();
        if (keepaliveSeconds < 0 || keepaliveSeconds > 65535) {
            throw new IllegalArgumentException("keepalive must be 0..65535 seconds");
        }
    }

    WgPeer withEndpoint(String newEndpoint) {
        return new WgPeer(publicKey, allowedIps, newEndpoint, keepaliveSeconds);
    }
}

package dev.tern.query.peers;

import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import java.time.Instant;
import java.util.List;

/**
 * A peer as the REST API shows it. {@code connected}, {@code lastSeen} and {@code connectionIp} come from the
 * peer's live gRPC session (see {@link PeerStatusStore}), not from events; {@code connected} turns false once
 * {@code lastSeen} is older than {@link PeerReads#CONNECTED_STALE_AFTER} (a session that died unclosed).
 * {@code loginExpiry} says why the peer's login has lapsed, null while it has not; {@code lastLogin} is its
 * registration or latest login with a setup key.
 */
public record PeerView(String id, String accountId, String name, String wgPubKey, String ip, String dnsLabel,
                       PeerSystemMeta meta, String userId, String setupKeyId, List<GroupRef> groups,
                       boolean sshEnabled, boolean loginExpirationEnabled, boolean inactivityExpirationEnabled,
                       boolean ephemeral, Instant createdAt, Instant lastLogin, PeerExpiry loginExpiry,
                       boolean connected, Instant lastSeen, String connectionIp, List<String> extraDnsLabels) {

    /** Whether the peer's login has lapsed (NetBird's {@code login_expired}). */
    public boolean loginExpired() {
        return loginExpiry != null;
    }

    public record GroupRef(String id, String name, int peersCount) {
    }
}

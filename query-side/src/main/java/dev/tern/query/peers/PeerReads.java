package dev.tern.query.peers;

import static dev.tern.query.jdbc.Rows.first;
import static dev.tern.query.jdbc.Rows.instant;

import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.query.AsOfScope;
import dev.tern.query.jdbc.Json;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/**
 * Reads of the table {@link PeerProjection} keeps, with each peer's groups and its session status
 * ({@link PeerStatusStore}): one account's peers for the REST API, and the peers of every account the expiry
 * sweepers are due to act on.
 *
 * <p>A peer counts as connected only while its session keeps {@code last_seen} fresh: an open Sync stream
 * refreshes it every 30 s, so a row still saying connected but older than {@link #CONNECTED_STALE_AFTER} belongs
 * to a session that died without closing (tern-server killed, say) and is reported as disconnected.
 */
@Component
public class PeerReads implements ExpiryReads {
    /** Three missed 30-second refreshes of last_seen: the session is gone. */
    public static final Duration CONNECTED_STALE_AFTER = Duration.ofSeconds(90);

    /**
     * What an as-of state answers for these reads ({@link AsOfScope}): the account's peers as
     * {@link #peers} lists them, every one not connected (connection state is not history).
     */
    public interface AsOf {
        List<PeerView> peers();
    }

    private final JdbcTemplate jdbc;
    private final Clock clock;

    /** Uses the application's {@link Clock} bean when there is one, else the system clock. */
    @Autowired
    public PeerReads(JdbcTemplate jdbc, ObjectProvider<Clock> clock) {
        this(jdbc, clock.getIfAvailable(Clock::systemUTC));
    }

    public PeerReads(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public List<PeerView> peers(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().peers();
        }
        return peersWhere(accountId, "p.account_id = ?", accountId);
    }

    public Optional<PeerView> peer(String accountId, String peerId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().peers().stream().filter(p -> p.id().equals(peerId)).findFirst();
        }
        return first(peersWhere(accountId, "p.account_id = ? AND p.id = ?", accountId, peerId));
    }

    public Optional<PeerView> peerByWireGuardKey(String accountId, String wgPubKeyBase64) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().peers().stream().filter(p -> p.wgPubKey().equals(wgPubKeyBase64)).findFirst();
        }
        return first(peersWhere(accountId, "p.account_id = ? AND p.wg_pub_key = ?", accountId, wgPubKeyBase64));
    }

    /** How many peers the account has. */
    public int count(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().peers().size();
        }
        Integer count = jdbc.queryForObject("SELECT count(*) FROM rm_peers WHERE account_id = ?", Integer.class,
                accountId);
        return count == null ? 0 : count;
    }

    private List<PeerView> peersWhere(String accountId, String condition, Object... args) {
        List<PeerView> peers = jdbc.query("""
                SELECT p.id, p.account_id, p.name, p.wg_pub_key, p.ip, p.dns_label, p.meta, p.user_id,
                       p.setup_key_id, p.ssh_enabled, p.login_expiration_enabled, p.inactivity_expiration_enabled,
                       p.ephemeral, p.created_at, p.last_login, p.login_expiry_cause,
                       COALESCE(s.connected AND s.last_seen >= ?, FALSE), s.last_seen, s.connection_ip,
                       p.extra_dns_labels
                FROM rm_peers p LEFT JOIN peer_status s ON s.peer_id = p.id
                WHERE""" + " " + condition + " ORDER BY p.name, p.id", (rs, i) -> new PeerView(rs.getString(1),
                rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                Json.read(rs.getString(7), PeerSystemMeta.class), rs.getString(8), rs.getString(9),
                List.of(), rs.getBoolean(10), rs.getBoolean(11), rs.getBoolean(12), rs.getBoolean(13),
                instant(rs, 14), instant(rs, 15), expiry(rs.getString(16)), rs.getBoolean(17), instant(rs, 18),
                rs.getString(19), List.of(Json.read(rs.getString(20), String[].class))),
                withFreshSince(args));
        if (peers.isEmpty()) {
            return peers;
        }
        PeerGroups groups = peerGroups(accountId, peers.size() == 1 ? peers.get(0).id() : null);
        return peers.stream().map(p -> withGroups(p, groups.of(p.id()))).toList();
    }

    /** The query's arguments behind the oldest last_seen that still counts as connected. */
    private Object[] withFreshSince(Object[] args) {
        Object[] out = new Object[args.length + 1];
        out[0] = Timestamp.from(clock.instant().minus(CONNECTED_STALE_AFTER));
        System.arraycopy(args, 0, out, 1, args.length);
        return out;
    }

    /** Every peer is in the account's All group; explicit memberships follow it. */
    private record PeerGroups(List<PeerView.GroupRef> allGroups, Map<String, List<PeerView.GroupRef>> explicit) {
        List<PeerView.GroupRef> of(String peerId) {
            List<PeerView.GroupRef> refs = new ArrayList<>(allGroups);
            refs.addAll(explicit.getOrDefault(peerId, List.of()));
            return List.copyOf(refs);
        }
    }

    /** Group refs with member counts; with {@code onlyPeerId} set, only that peer's memberships are read. */
    private PeerGroups peerGroups(String accountId, String onlyPeerId) {
        List<PeerView.GroupRef> allGroups = jdbc.query("""
                SELECT g.id, g.name, (SELECT COUNT(*) FROM rm_peers p WHERE p.account_id = g.account_id)
                FROM rm_groups g WHERE g.account_id = ? AND g.is_all""",
                (rs, i) -> new PeerView.GroupRef(rs.getString(1), rs.getString(2), rs.getInt(3)), accountId);
        String peerFilter = onlyPeerId == null ? "" : " AND m.peer_id = ?";
        Object[] args = onlyPeerId == null ? new Object[]{accountId, accountId}
                : new Object[]{accountId, accountId, onlyPeerId};
        Map<String, List<PeerView.GroupRef>> explicit = new HashMap<>();
        // Member counts once per group, not once per membership row: a group can hold thousands of peers.
        jdbc.query("""
                WITH counts AS (
                    SELECT c.group_id, COUNT(*) AS members FROM rm_group_members c
                    JOIN rm_groups cg ON cg.id = c.group_id WHERE cg.account_id = ? GROUP BY c.group_id)
                SELECT m.peer_id, g.id, g.name, counts.members
                FROM rm_group_members m JOIN rm_groups g ON g.id = m.group_id JOIN counts ON counts.group_id = g.id
                WHERE g.account_id = ?""" + peerFilter + " ORDER BY g.name, g.id", rs -> {
            explicit.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new PeerView.GroupRef(rs.getString(2), rs.getString(3), rs.getInt(4)));
        }, args);
        return new PeerGroups(allGroups, explicit);
    }

    private static PeerView withGroups(PeerView p, List<PeerView.GroupRef> groups) {
        return new PeerView(p.id(), p.accountId(), p.name(), p.wgPubKey(), p.ip(), p.dnsLabel(), p.meta(), p.userId(),
                p.setupKeyId(), groups, p.sshEnabled(), p.loginExpirationEnabled(), p.inactivityExpirationEnabled(),
                p.ephemeral(), p.createdAt(), p.lastLogin(), p.loginExpiry(), p.connected(), p.lastSeen(),
                p.connectionIp(), p.extraDnsLabels());
    }

    private static PeerExpiry expiry(String storedName) {
        return storedName == null ? null : PeerExpiry.valueOf(storedName);
    }

    /**
     * Login: the period runs from the last login. Joined from the accounts side so that PostgreSQL walks
     * rm_peers_login_expiry_due_idx once per account with the setting on, over the range already due.
     */
    static final String LOGIN_DUE = """
            SELECT a.id, p.id FROM rm_accounts a
            JOIN rm_peers p ON p.account_id = a.id
                AND p.login_expiration_enabled AND NOT p.login_expired
                AND p.last_login <= CAST(? AS TIMESTAMPTZ) - a.peer_login_expiration * INTERVAL '1 second'
            WHERE a.peer_login_expiration_enabled
            ORDER BY p.last_login, p.id""";

    /**
     * Inactivity: the period runs from the last contact of a peer that is not connected now (a connected row
     * nobody refreshed reads as disconnected, as in {@link #peers}), or from its registration if it was never
     * seen. Candidates come from rm_peers_inactivity_expiry_due_idx, their status by peer_status's key.
     */
    static final String INACTIVITY_DUE = """
            SELECT a.id, p.id FROM rm_accounts a
            JOIN rm_peers p ON p.account_id = a.id
                AND p.inactivity_expiration_enabled AND NOT p.login_expired
            LEFT JOIN peer_status s ON s.peer_id = p.id
            WHERE a.peer_inactivity_expiration_enabled
                AND NOT COALESCE(s.connected AND s.last_seen >= ?, FALSE)
                AND GREATEST(s.last_seen, p.last_login, p.created_at)
                    <= CAST(? AS TIMESTAMPTZ) - a.peer_inactivity_expiration * INTERVAL '1 second'
            ORDER BY GREATEST(s.last_seen, p.last_login, p.created_at), p.id""";

    @Override
    public List<DuePeer> peersDueForExpiry(PeerExpiry cause, Instant now) {
        RowMapper<DuePeer> due = (rs, i) -> new DuePeer(rs.getString(1), rs.getString(2));
        Timestamp at = Timestamp.from(now);
        return switch (cause) {
            case LOGIN -> jdbc.query(LOGIN_DUE, due, at);
            case INACTIVITY -> jdbc.query(INACTIVITY_DUE, due, Timestamp.from(now.minus(CONNECTED_STALE_AFTER)), at);
        };
    }

    /**
     * Ephemeral peers away since before a cut-off: as {@link #INACTIVITY_DUE}, the time they were last seen, logged
     * in or registered, whichever is latest, for peers not connected now. Candidates come from
     * rm_peers_ephemeral_idx (ephemeral peers only), their status by peer_status's key.
     */
    static final String EPHEMERAL_GONE = """
            SELECT p.account_id, p.id FROM rm_peers p
            LEFT JOIN peer_status s ON s.peer_id = p.id
            WHERE p.ephemeral
                AND NOT COALESCE(s.connected AND s.last_seen >= ?, FALSE)
                AND GREATEST(s.last_seen, p.last_login, p.created_at) <= ?
            ORDER BY GREATEST(s.last_seen, p.last_login, p.created_at), p.id""";

    @Override
    public List<DuePeer> ephemeralPeersGoneFor(Duration ttl, Instant now) {
        return jdbc.query(EPHEMERAL_GONE, (rs, i) -> new DuePeer(rs.getString(1), rs.getString(2)),
                Timestamp.from(now.minus(CONNECTED_STALE_AFTER)), Timestamp.from(now.minus(ttl)));
    }
}

package dev.tern.query;

import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.UserRole;
import java.sql.ResultSet;
import java.sql.SQLException;
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
 * {@link ReadModel} over the rm_* tables the read-model projections keep.
 *
 * <p>A peer counts as connected only while its session keeps {@code last_seen} fresh: an open Sync stream
 * refreshes it every 30 s, so a row still saying connected but older than {@link #CONNECTED_STALE_AFTER} belongs
 * to a session that died without closing (tern-server killed, say) and is reported as disconnected.
 */
@Component
public class JdbcReadModel implements ReadModel {
    /** Three missed 30-second refreshes of last_seen: the session is gone. */
    public static final Duration CONNECTED_STALE_AFTER = Duration.ofSeconds(90);

    private final JdbcTemplate jdbc;
    private final Clock clock;

    /** Uses the application's {@link Clock} bean when there is one, else the system clock. */
    @Autowired
    public JdbcReadModel(JdbcTemplate jdbc, ObjectProvider<Clock> clock) {
        this(jdbc, clock.getIfAvailable(Clock::systemUTC));
    }

    public JdbcReadModel(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public boolean setupRequired() {
        return !Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM rm_users)", Boolean.class));
    }

    @Override
    public Optional<TokenPrincipal> findTokenByHash(String tokenHash) {
        return first(jdbc.query("""
                SELECT t.id, t.expires_at, t.account_id, t.user_id, u.name, u.email, u.role, u.service_user, u.blocked
                FROM rm_tokens t JOIN rm_users u ON u.id = t.user_id AND u.account_id = t.account_id
                WHERE t.token_hash = ?""", (rs, i) -> new TokenPrincipal(rs.getString(1), instant(rs, 2),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6), UserRole.valueOf(rs.getString(7)),
                rs.getBoolean(8), rs.getBoolean(9)), tokenHash));
    }

    @Override
    public Optional<String> findAccountBySetupKeyHash(String keyHash) {
        return first(jdbc.queryForList("SELECT account_id FROM rm_setup_keys WHERE key_hash = ?", String.class,
                keyHash));
    }

    @Override
    public Optional<AccountView> account(String accountId) {
        return first(jdbc.query("""
                SELECT id, network, dns_domain, created_at, peer_login_expiration_enabled, peer_login_expiration,
                       peer_inactivity_expiration_enabled, peer_inactivity_expiration
                FROM rm_accounts WHERE id = ?""",
                (rs, i) -> new AccountView(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4),
                        new AccountSettings(rs.getBoolean(5), rs.getLong(6), rs.getBoolean(7), rs.getLong(8))),
                accountId));
    }

    private static final String USER_COLUMNS =
            "id, account_id, email, name, role, service_user, blocked, auto_groups::text, created_at, last_login";
    private static final RowMapper<UserView> USER = (rs, i) -> new UserView(rs.getString(1), rs.getString(2),
            rs.getString(3), rs.getString(4), UserRole.valueOf(rs.getString(5)), rs.getBoolean(6), rs.getBoolean(7),
            Json.readStringList(rs.getString(8)), instant(rs, 9), instant(rs, 10));

    @Override
    public List<UserView> users(String accountId) {
        return jdbc.query("SELECT " + USER_COLUMNS + " FROM rm_users WHERE account_id = ? ORDER BY created_at, id",
                USER, accountId);
    }

    @Override
    public Optional<UserView> user(String accountId, String userId) {
        return first(jdbc.query("SELECT " + USER_COLUMNS + " FROM rm_users WHERE account_id = ? AND id = ?", USER,
                accountId, userId));
    }

    private static final String TOKEN_SELECT = "t.id, t.account_id, t.user_id, t.name, t.expires_at, t.created_by, "
            + "t.created_at, u.last_used FROM rm_tokens t LEFT JOIN token_usage u ON u.token_id = t.id";
    private static final RowMapper<TokenView> TOKEN = (rs, i) -> new TokenView(rs.getString(1), rs.getString(2),
            rs.getString(3), rs.getString(4), instant(rs, 5), rs.getString(6), instant(rs, 7), instant(rs, 8));

    @Override
    public List<TokenView> tokens(String accountId, String userId) {
        return jdbc.query("SELECT " + TOKEN_SELECT
                + " WHERE t.account_id = ? AND t.user_id = ? ORDER BY t.created_at, t.id", TOKEN, accountId, userId);
    }

    @Override
    public Optional<TokenView> token(String accountId, String userId, String tokenId) {
        return first(jdbc.query("SELECT " + TOKEN_SELECT
                + " WHERE t.account_id = ? AND t.user_id = ? AND t.id = ?", TOKEN, accountId, userId, tokenId));
    }

    private static final String SETUP_KEY_COLUMNS = "id, account_id, name, type, key_prefix, expires_at, revoked, "
            + "used_times, last_used, auto_groups::text, updated_at, usage_limit, ephemeral, allow_extra_dns_labels";
    private static final RowMapper<SetupKeyView> SETUP_KEY = (rs, i) -> new SetupKeyView(rs.getString(1),
            rs.getString(2), rs.getString(3), SetupKeyType.valueOf(rs.getString(4)), rs.getString(5),
            instant(rs, 6), rs.getBoolean(7), rs.getInt(8), instant(rs, 9), Json.readStringList(rs.getString(10)),
            instant(rs, 11), rs.getInt(12), rs.getBoolean(13), rs.getBoolean(14));

    @Override
    public List<SetupKeyView> setupKeys(String accountId) {
        return jdbc.query("SELECT " + SETUP_KEY_COLUMNS
                + " FROM rm_setup_keys WHERE account_id = ? ORDER BY created_at, id", SETUP_KEY, accountId);
    }

    @Override
    public Optional<SetupKeyView> setupKey(String accountId, String setupKeyId) {
        return first(jdbc.query("SELECT " + SETUP_KEY_COLUMNS + " FROM rm_setup_keys WHERE account_id = ? AND id = ?",
                SETUP_KEY, accountId, setupKeyId));
    }

    @Override
    public List<GroupView> groups(String accountId) {
        return groupsWhere("g.account_id = ?", accountId);
    }

    @Override
    public Optional<GroupView> group(String accountId, String groupId) {
        return first(groupsWhere("g.account_id = ? AND g.id = ?", accountId, groupId));
    }

    private record GroupRow(String id, String accountId, String name, GroupIssuer issued, boolean all) {
    }

    private List<GroupView> groupsWhere(String condition, Object... args) {
        List<GroupRow> rows = jdbc.query("SELECT g.id, g.account_id, g.name, g.issued, g.is_all FROM rm_groups g WHERE "
                + condition + " ORDER BY g.name, g.id", (rs, i) -> new GroupRow(rs.getString(1), rs.getString(2),
                rs.getString(3), GroupIssuer.valueOf(rs.getString(4)), rs.getBoolean(5)), args);
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, List<GroupView.PeerRef>> members = new HashMap<>();
        jdbc.query("""
                SELECT m.group_id, p.id, p.name FROM rm_group_members m
                JOIN rm_groups g ON g.id = m.group_id JOIN rm_peers p ON p.id = m.peer_id
                WHERE""" + " " + condition + " ORDER BY p.name, p.id", rs -> {
            members.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new GroupView.PeerRef(rs.getString(2), rs.getString(3)));
        }, args);
        List<GroupView.PeerRef> everyPeer = rows.stream().anyMatch(GroupRow::all)
                ? jdbc.query("SELECT id, name FROM rm_peers WHERE account_id = ? ORDER BY name, id",
                (rs, i) -> new GroupView.PeerRef(rs.getString(1), rs.getString(2)), rows.get(0).accountId())
                : List.of();
        return rows.stream().map(g -> new GroupView(g.id(), g.accountId(), g.name(), g.issued(), g.all(),
                g.all() ? everyPeer : List.copyOf(members.getOrDefault(g.id(), List.of())))).toList();
    }

    @Override
    public List<PolicyView> policies(String accountId) {
        return jdbc.query("SELECT id, account_id, definition FROM rm_policies WHERE account_id = ? ORDER BY name, id",
                POLICY, accountId);
    }

    @Override
    public Optional<PolicyView> policy(String accountId, String policyId) {
        return first(jdbc.query("SELECT id, account_id, definition FROM rm_policies WHERE account_id = ? AND id = ?",
                POLICY, accountId, policyId));
    }

    private static final RowMapper<PolicyView> POLICY = (rs, i) -> new PolicyView(rs.getString(1), rs.getString(2),
            Json.read(rs.getString(3), PolicyDefinition.class));

    @Override
    public List<PeerView> peers(String accountId) {
        return peersWhere(accountId, "p.account_id = ?", accountId);
    }

    @Override
    public Optional<PeerView> peer(String accountId, String peerId) {
        return first(peersWhere(accountId, "p.account_id = ? AND p.id = ?", accountId, peerId));
    }

    @Override
    public Optional<PeerView> peerByWireGuardKey(String accountId, String wgPubKeyBase64) {
        return first(peersWhere(accountId, "p.account_id = ? AND p.wg_pub_key = ?", accountId, wgPubKeyBase64));
    }

    private List<PeerView> peersWhere(String accountId, String condition, Object... args) {
        List<PeerView> peers = jdbc.query("""
                SELECT p.id, p.account_id, p.name, p.wg_pub_key, p.ip, p.dns_label, p.meta, p.user_id,
                       p.setup_key_id, p.ssh_enabled, p.login_expiration_enabled, p.inactivity_expiration_enabled,
                       p.ephemeral, p.created_at, p.last_login, p.login_expiry_cause,
                       COALESCE(s.connected AND s.last_seen >= ?, FALSE), s.last_seen, s.connection_ip
                FROM rm_peers p LEFT JOIN peer_status s ON s.peer_id = p.id
                WHERE""" + " " + condition + " ORDER BY p.name, p.id", (rs, i) -> new PeerView(rs.getString(1),
                rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                Json.read(rs.getString(7), PeerSystemMeta.class), rs.getString(8), rs.getString(9),
                List.of(), rs.getBoolean(10), rs.getBoolean(11), rs.getBoolean(12), rs.getBoolean(13),
                instant(rs, 14), instant(rs, 15), expiry(rs.getString(16)), rs.getBoolean(17), instant(rs, 18),
                rs.getString(19)),
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
                p.connectionIp());
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

    @Override
    public AuditPage audit(String accountId, AuditQuery query) {
        StringBuilder where = new StringBuilder(" WHERE account_id = ?");
        List<Object> args = new ArrayList<>();
        args.add(accountId);
        if (query.from() != null) {
            where.append(" AND occurred_at >= ?");
            args.add(Timestamp.from(query.from()));
        }
        if (query.to() != null) {
            where.append(" AND occurred_at < ?");
            args.add(Timestamp.from(query.to()));
        }
        if (query.initiatorId() != null) {
            where.append(" AND initiator_id = ?");
            args.add(query.initiatorId());
        }
        if (query.targetId() != null) {
            where.append(" AND target_id = ?");
            args.add(query.targetId());
        }
        if (query.activityCode() != null) {
            where.append(" AND activity_code = ?");
            args.add(query.activityCode());
        }
        Long total = jdbc.queryForObject("SELECT COUNT(*) FROM rm_audit" + where, Long.class, args.toArray());
        int limit = query.limit() <= 0 ? AuditQuery.DEFAULT_LIMIT : Math.min(query.limit(), AuditQuery.MAX_LIMIT);
        int offset = Math.max(0, query.offset());
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(limit);
        pageArgs.add(offset);
        List<AuditEntry> entries = jdbc.query("""
                SELECT global_index, sub, occurred_at, activity, activity_code, initiator_id, initiator_name,
                       initiator_email, target_id, meta
                FROM rm_audit""" + where + " ORDER BY global_index DESC, sub DESC LIMIT ? OFFSET ?",
                (rs, i) -> new AuditEntry(auditId(rs.getLong(1), rs.getInt(2)), instant(rs, 3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        Json.readStringMap(rs.getString(10))), pageArgs.toArray());
        return new AuditPage(entries, total == null ? 0 : total);
    }

    /** The event's global sequence; the further rows one event yields get a suffix so ids stay unique. */
    static String auditId(long globalIndex, int sub) {
        return sub == 0 ? Long.toString(globalIndex) : globalIndex + "-" + sub;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        Timestamp ts = rs.getTimestamp(column);
        return ts == null ? null : ts.toInstant();
    }

    private static <T> Optional<T> first(List<T> list) {
        return list.isEmpty() ? Optional.empty() : Optional.ofNullable(list.get(0));
    }
}

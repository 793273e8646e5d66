package dev.tern.api.idp;

import dev.tern.events.values.Secrets;
import dev.tern.events.values.UserRole;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * Invitations to become a local user of an account ({@code idp_invite}, Flyway V130), in NetBird's shape: the token
 * ({@code nbi_...}) is shown once, when the invite is made or regenerated, and kept only as its SHA-256. An invite
 * expires; accepting it (with a password) creates the user and deletes the invite.
 */
public class Invites {
    public static final String TOKEN_PREFIX = "nbi_";
    /** NetBird's default: 72 hours. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(72);
    public static final Duration MIN_LIFETIME = Duration.ofHours(1);
    public static final Duration MAX_LIFETIME = Duration.ofDays(30);
    /** An account cannot pile up invites without bound. */
    public static final int MAX_PER_ACCOUNT = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;
    private final Clock clock;

    Invites(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A stored invite; never its token. */
    public record Invite(String id, String accountId, String email, String name, UserRole role, List<String> autoGroups,
                         String invitedBy, String inviterId, Instant createdAt, Instant expiresAt) {
        public boolean expired(Instant now) {
            return !now.isBefore(expiresAt);
        }
    }

    /** A new or regenerated invite with its token, which exists only in this answer. */
    public record Issued(Invite invite, String token) {
        @Override
        public String toString() {
            return "Issued[" + invite.id() + "]";
        }
    }

    public Instant now() {
        return clock.instant();
    }

    /** Whether the token has the shape of an invite token (so that a path segment can be told from an id). */
    public static boolean looksLikeToken(String text) {
        return text != null && text.startsWith(TOKEN_PREFIX) && text.length() <= 100;
    }

    public Issued create(String id, String accountId, String email, String name, UserRole role, List<String> autoGroups,
                         String invitedBy, String inviterId, Duration lifetime) {
        String token = newToken();
        Instant now = clock.instant();
        jdbc.update("""
                INSERT INTO idp_invite (id, account_id, email, name, role, auto_groups, token_hash, invited_by,
                                        inviter_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                id, accountId, LocalCredentials.normalizedLogin(email), name, role.name(),
                dev.tern.query.jdbc.Json.write(autoGroups), Secrets.sha256Hex(token), invitedBy, inviterId, Timestamp.from(now),
                Timestamp.from(now.plus(lifetime)));
        return new Issued(find(accountId, id).orElseThrow(), token);
    }

    public int count(String accountId) {
        Integer n = jdbc.queryForObject("SELECT count(*) FROM idp_invite WHERE account_id = ?", Integer.class, accountId);
        return n == null ? 0 : n;
    }

    public boolean invited(String accountId, String email) {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM idp_invite WHERE account_id = ? "
                + "AND email = ?)", Boolean.class, accountId, LocalCredentials.normalizedLogin(email)));
    }

    public List<Invite> list(String accountId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM idp_invite WHERE account_id = ? ORDER BY created_at, id",
                INVITE, accountId);
    }

    public Optional<Invite> find(String accountId, String id) {
        return jdbc.query("SELECT " + COLUMNS + " FROM idp_invite WHERE account_id = ? AND id = ?", INVITE,
                accountId, id).stream().findFirst();
    }

    public Optional<Invite> byToken(String token) {
        if (!looksLikeToken(token)) {
            return Optional.empty();
        }
        return jdbc.query("SELECT " + COLUMNS + " FROM idp_invite WHERE token_hash = ?", INVITE,
                Secrets.sha256Hex(token)).stream().findFirst();
    }

    /** A new token and expiry for an invite; the old token stops working. */
    public Optional<Issued> regenerate(String accountId, String id, Duration lifetime) {
        String token = newToken();
        int updated = jdbc.update("UPDATE idp_invite SET token_hash = ?, expires_at = ? WHERE account_id = ? AND id = ?",
                Secrets.sha256Hex(token), Timestamp.from(clock.instant().plus(lifetime)), accountId, id);
        return updated == 0 ? Optional.empty() : find(accountId, id).map(invite -> new Issued(invite, token));
    }

    /** Deletes the invite; true when this call deleted it (so two accepts of one token cannot both win). */
    public boolean delete(String accountId, String id) {
        return jdbc.update("DELETE FROM idp_invite WHERE account_id = ? AND id = ?", accountId, id) == 1;
    }

    private static String newToken() {
        byte[] bytes = new byte[30];
        RANDOM.nextBytes(bytes);
        return TOKEN_PREFIX + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static final String COLUMNS =
            "id, account_id, email, name, role, auto_groups, invited_by, inviter_id, created_at, expires_at";
    private static final RowMapper<Invite> INVITE = (rs, i) -> new Invite(rs.getString(1), rs.getString(2),
            rs.getString(3), rs.getString(4), UserRole.valueOf(rs.getString(5)),
            dev.tern.query.jdbc.Json.readStringList(rs.getString(6)), rs.getString(7), rs.getString(8),
            rs.getTimestamp(9).toInstant(), rs.getTimestamp(10).toInstant());
}

package dev.tern.query.users;

import static dev.tern.query.jdbc.Rows.first;
import static dev.tern.query.jdbc.Rows.instant;

import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.UserRole;
import dev.tern.query.AsOfScope;
import dev.tern.query.jdbc.Json;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/**
 * Reads of the tables {@link UserProjection} keeps: accounts with their settings, users, their personal access
 * tokens (with the last use {@link TokenUsageStore} records). Scoped to one account (an id of another account is
 * simply not found), except the two look-ups made before any account is known: setup and token authentication.
 */
@Component
public class UserReads implements TokenAuthenticationReads, SetupReads {
    /**
     * What an as-of state answers for these reads ({@link AsOfScope}), in the tables' orders; no token was ever used
     * then (their last use is not history).
     */
    public interface AsOf {
        Optional<AccountView> account();

        List<UserView> users();

        /** The user's tokens, oldest first. */
        List<TokenView> tokens(String userId);
    }

    private final JdbcTemplate jdbc;

    public UserReads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
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

    public Optional<AccountView> account(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().account();
        }
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

    public List<UserView> users(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().users();
        }
        return jdbc.query("SELECT " + USER_COLUMNS + " FROM rm_users WHERE account_id = ? ORDER BY created_at, id",
                USER, accountId);
    }

    public Optional<UserView> user(String accountId, String userId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().users().stream().filter(u -> u.id().equals(userId)).findFirst();
        }
        return first(jdbc.query("SELECT " + USER_COLUMNS + " FROM rm_users WHERE account_id = ? AND id = ?", USER,
                accountId, userId));
    }

    private static final String TOKEN_SELECT = "t.id, t.account_id, t.user_id, t.name, t.expires_at, t.created_by, "
            + "t.created_at, u.last_used FROM rm_tokens t LEFT JOIN token_usage u ON u.token_id = t.id";
    private static final RowMapper<TokenView> TOKEN = (rs, i) -> new TokenView(rs.getString(1), rs.getString(2),
            rs.getString(3), rs.getString(4), instant(rs, 5), rs.getString(6), instant(rs, 7), instant(rs, 8));

    public List<TokenView> tokens(String accountId, String userId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().tokens(userId);
        }
        return jdbc.query("SELECT " + TOKEN_SELECT
                + " WHERE t.account_id = ? AND t.user_id = ? ORDER BY t.created_at, t.id", TOKEN, accountId, userId);
    }

    public Optional<TokenView> token(String accountId, String userId, String tokenId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().tokens(userId).stream().filter(t -> t.id().equals(tokenId)).findFirst();
        }
        return first(jdbc.query("SELECT " + TOKEN_SELECT
                + " WHERE t.account_id = ? AND t.user_id = ? AND t.id = ?", TOKEN, accountId, userId, tokenId));
    }
}

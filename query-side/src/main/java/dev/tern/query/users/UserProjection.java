package dev.tern.query.users;

import static dev.tern.query.jdbc.Rows.listOrEmpty;
import static dev.tern.query.jdbc.Rows.ts;

import dev.tern.events.AccountCreated;
import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PersonalAccessTokenDeleted;
import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.UserDeleted;
import dev.tern.events.UserRoleChanged;
import dev.tern.events.UserUnblocked;
import dev.tern.events.values.AccountSettings;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.WriteBehind;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Accounts (with their settings), users and their personal access tokens. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class UserProjection {
    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;

    UserProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
    }

    @ResetHandler
    void reset() {
        // DELETE, not TRUNCATE, which would lock readers out until the rebuild commits (ReadModelRebuild).
        jdbc.execute("DELETE FROM rm_accounts");
        jdbc.execute("DELETE FROM rm_users");
        jdbc.execute("DELETE FROM rm_tokens");
    }

    @EventHandler
    void on(AccountCreated e) {
        // A new account has the defaults the aggregate starts from; AccountSettingsUpdated carries any change.
        AccountSettings settings = AccountSettings.defaults();
        writes.update("""
                        INSERT INTO rm_accounts (id, network, dns_domain, created_at, peer_login_expiration_enabled,
                                                 peer_login_expiration, peer_inactivity_expiration_enabled,
                                                 peer_inactivity_expiration)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""",
                e.accountId(), e.network().toString(), e.dnsDomain(), ts(e.createdAt()),
                settings.peerLoginExpirationEnabled(), settings.peerLoginExpirationSeconds(),
                settings.peerInactivityExpirationEnabled(), settings.peerInactivityExpirationSeconds());
    }

    @EventHandler
    void on(AccountSettingsUpdated e) {
        AccountSettings after = e.after();
        writes.update("""
                        UPDATE rm_accounts SET peer_login_expiration_enabled = ?, peer_login_expiration = ?,
                            peer_inactivity_expiration_enabled = ?, peer_inactivity_expiration = ?
                        WHERE id = ?""",
                after.peerLoginExpirationEnabled(), after.peerLoginExpirationSeconds(),
                after.peerInactivityExpirationEnabled(), after.peerInactivityExpirationSeconds(), e.accountId());
    }

    @EventHandler
    void on(AccountNetworkRangeChanged e) {
        writes.update("UPDATE rm_accounts SET network = ? WHERE id = ?", e.after().toString(), e.accountId());
    }

    @EventHandler
    void on(UserCreated e) {
        writes.update("""
                        INSERT INTO rm_users (id, account_id, email, name, role, service_user, auto_groups, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?)
                        ON CONFLICT (id) DO NOTHING""",
                e.userId(), e.accountId(), nullToEmpty(e.email()), nullToEmpty(e.name()), e.role().name(),
                e.serviceUser(), Json.write(listOrEmpty(e.autoGroups())), ts(e.createdAt()));
    }

    @EventHandler
    void on(UserRoleChanged e) {
        writes.update("UPDATE rm_users SET role = ? WHERE id = ?", e.newRole().name(), e.userId());
    }

    @EventHandler
    void on(UserBlocked e) {
        writes.update("UPDATE rm_users SET blocked = TRUE WHERE id = ?", e.userId());
    }

    @EventHandler
    void on(UserUnblocked e) {
        writes.update("UPDATE rm_users SET blocked = FALSE WHERE id = ?", e.userId());
    }

    @EventHandler
    void on(UserAutoGroupsChanged e) {
        writes.update("UPDATE rm_users SET auto_groups = ?::jsonb WHERE id = ?",
                Json.write(listOrEmpty(e.autoGroups())), e.userId());
    }

    @EventHandler
    void on(UserDeleted e) {
        writes.update("DELETE FROM token_usage WHERE token_id IN (SELECT id FROM rm_tokens WHERE user_id = ?)",
                e.userId());
        writes.update("DELETE FROM rm_tokens WHERE user_id = ?", e.userId());
        writes.update("DELETE FROM rm_users WHERE id = ?", e.userId());
    }

    @EventHandler
    void on(PersonalAccessTokenCreated e) {
        writes.update("""
                        INSERT INTO rm_tokens (id, account_id, user_id, name, token_hash, expires_at, created_by,
                                               created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT DO NOTHING""",
                e.tokenId(), e.accountId(), e.userId(), e.name(), e.tokenHash(), ts(e.expiresAt()), e.createdBy(),
                ts(e.createdAt()));
    }

    @EventHandler
    void on(PersonalAccessTokenDeleted e) {
        writes.update("DELETE FROM token_usage WHERE token_id = ?", e.tokenId());
        writes.update("DELETE FROM rm_tokens WHERE id = ?", e.tokenId());
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}

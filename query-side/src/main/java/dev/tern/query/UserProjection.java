package dev.tern.query;

import static dev.tern.query.AuditTrail.meta;

import dev.tern.events.AccountCreated;
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
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Accounts (with their settings), users and their personal access tokens. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
class UserProjection {
    private final JdbcTemplate jdbc;
    private final AuditTrail audit;

    UserProjection(JdbcTemplate jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    @ResetHandler
    void reset() {
        jdbc.execute("TRUNCATE rm_accounts, rm_users, rm_tokens");
    }

    @EventHandler
    void on(AccountCreated e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.ACCOUNT_CREATED, e.accountId(),
                meta("network", e.network().toString(), "dns_domain", e.dnsDomain()));
        // A new account has the defaults the aggregate starts from; AccountSettingsUpdated carries any change.
        AccountSettings settings = AccountSettings.defaults();
        jdbc.update("""
                        INSERT INTO rm_accounts (id, network, dns_domain, created_at, peer_login_expiration_enabled,
                                                 peer_login_expiration, peer_inactivity_expiration_enabled,
                                                 peer_inactivity_expiration)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (id) DO NOTHING""",
                e.accountId(), e.network().toString(), e.dnsDomain(), ts(e.createdAt()),
                settings.peerLoginExpirationEnabled(), settings.peerLoginExpirationSeconds(),
                settings.peerInactivityExpirationEnabled(), settings.peerInactivityExpirationSeconds());
    }

    /**
     * One audit entry per setting that actually changed, as NetBird records them: the switch turned on or off,
     * the period updated (seconds), each with its old and new value.
     */
    @EventHandler
    void on(AccountSettingsUpdated e, EventMessage<?> message, TrackingToken token) {
        AccountSettings before = e.before() == null ? AccountSettings.defaults() : e.before();
        AccountSettings after = e.after();
        List<AuditedChange> changes = List.of(
                switched(before.peerLoginExpirationEnabled(), after.peerLoginExpirationEnabled(),
                        Activity.ACCOUNT_PEER_LOGIN_EXPIRATION_ENABLED,
                        Activity.ACCOUNT_PEER_LOGIN_EXPIRATION_DISABLED),
                new AuditedChange(Activity.ACCOUNT_PEER_LOGIN_EXPIRATION_UPDATED,
                        before.peerLoginExpirationSeconds(), after.peerLoginExpirationSeconds()),
                switched(before.peerInactivityExpirationEnabled(), after.peerInactivityExpirationEnabled(),
                        Activity.ACCOUNT_PEER_INACTIVITY_EXPIRATION_ENABLED,
                        Activity.ACCOUNT_PEER_INACTIVITY_EXPIRATION_DISABLED),
                new AuditedChange(Activity.ACCOUNT_PEER_INACTIVITY_EXPIRATION_UPDATED,
                        before.peerInactivityExpirationSeconds(), after.peerInactivityExpirationSeconds()));
        int sub = 0;
        for (AuditedChange change : changes) {
            if (!change.oldValue().equals(change.newValue())) {
                audit.record(message, token, sub++, e.accountId(), change.activity(), e.accountId(),
                        meta("old", change.oldValue().toString(), "new", change.newValue().toString()));
            }
        }
        jdbc.update("""
                        UPDATE rm_accounts SET peer_login_expiration_enabled = ?, peer_login_expiration = ?,
                            peer_inactivity_expiration_enabled = ?, peer_inactivity_expiration = ?
                        WHERE id = ?""",
                after.peerLoginExpirationEnabled(), after.peerLoginExpirationSeconds(),
                after.peerInactivityExpirationEnabled(), after.peerInactivityExpirationSeconds(), e.accountId());
    }

    private record AuditedChange(Activity activity, Object oldValue, Object newValue) {
    }

    private static AuditedChange switched(boolean before, boolean after, Activity enabled, Activity disabled) {
        return new AuditedChange(after ? enabled : disabled, before, after);
    }

    @EventHandler
    void on(UserCreated e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(),
                e.serviceUser() ? Activity.SERVICE_USER_CREATED : Activity.USER_CREATED, e.userId(),
                meta("name", e.name(), "email", e.email(), "role", e.role().wireName()));
        jdbc.update("""
                        INSERT INTO rm_users (id, account_id, email, name, role, service_user, auto_groups, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?::jsonb, ?)
                        ON CONFLICT (id) DO NOTHING""",
                e.userId(), e.accountId(), nullToEmpty(e.email()), nullToEmpty(e.name()), e.role().name(),
                e.serviceUser(), Json.write(listOrEmpty(e.autoGroups())), ts(e.createdAt()));
    }

    @EventHandler
    void on(UserRoleChanged e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.USER_ROLE_UPDATED, e.userId(),
                withUser(e.userId(), meta("role", e.newRole().wireName(), "old_role",
                        e.oldRole() == null ? null : e.oldRole().wireName())));
        jdbc.update("UPDATE rm_users SET role = ? WHERE id = ?", e.newRole().name(), e.userId());
    }

    @EventHandler
    void on(UserBlocked e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.USER_BLOCKED, e.userId(), withUser(e.userId(), meta()));
        jdbc.update("UPDATE rm_users SET blocked = TRUE WHERE id = ?", e.userId());
    }

    @EventHandler
    void on(UserUnblocked e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.USER_UNBLOCKED, e.userId(), withUser(e.userId(), meta()));
        jdbc.update("UPDATE rm_users SET blocked = FALSE WHERE id = ?", e.userId());
    }

    @EventHandler
    void on(UserAutoGroupsChanged e, EventMessage<?> message, TrackingToken token) {
        int sub = 0;
        for (String groupId : listOrEmpty(e.added())) {
            audit.record(message, token, sub++, e.accountId(), Activity.GROUP_ADDED_TO_USER, e.userId(),
                    withUser(e.userId(), meta("group", groupId, "group_name", audit.groupName(groupId))));
        }
        for (String groupId : listOrEmpty(e.removed())) {
            audit.record(message, token, sub++, e.accountId(), Activity.GROUP_REMOVED_FROM_USER, e.userId(),
                    withUser(e.userId(), meta("group", groupId, "group_name", audit.groupName(groupId))));
        }
        jdbc.update("UPDATE rm_users SET auto_groups = ?::jsonb WHERE id = ?",
                Json.write(listOrEmpty(e.autoGroups())), e.userId());
    }

    @EventHandler
    void on(UserDeleted e, EventMessage<?> message, TrackingToken token) {
        boolean serviceUser = Boolean.TRUE.equals(jdbc.queryForList(
                "SELECT service_user FROM rm_users WHERE id = ?", Boolean.class, e.userId()).stream().findFirst()
                .orElse(false));
        audit.record(message, token, e.accountId(),
                serviceUser ? Activity.SERVICE_USER_DELETED : Activity.USER_DELETED, e.userId(),
                withUser(e.userId(), meta()));
        jdbc.update("DELETE FROM token_usage WHERE token_id IN (SELECT id FROM rm_tokens WHERE user_id = ?)",
                e.userId());
        jdbc.update("DELETE FROM rm_tokens WHERE user_id = ?", e.userId());
        jdbc.update("DELETE FROM rm_users WHERE id = ?", e.userId());
    }

    @EventHandler
    void on(PersonalAccessTokenCreated e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.PERSONAL_ACCESS_TOKEN_CREATED, e.tokenId(),
                withUser(e.userId(), meta("name", e.name(), "user_id", e.userId())));
        jdbc.update("""
                        INSERT INTO rm_tokens (id, account_id, user_id, name, token_hash, expires_at, created_by,
                                               created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT DO NOTHING""",
                e.tokenId(), e.accountId(), e.userId(), e.name(), e.tokenHash(), ts(e.expiresAt()), e.createdBy(),
                ts(e.createdAt()));
    }

    @EventHandler
    void on(PersonalAccessTokenDeleted e, EventMessage<?> message, TrackingToken token) {
        String name = audit.single("SELECT name FROM rm_tokens WHERE id = ?", e.tokenId()).orElse(null);
        audit.record(message, token, e.accountId(), Activity.PERSONAL_ACCESS_TOKEN_DELETED, e.tokenId(),
                withUser(e.userId(), meta("name", name, "user_id", e.userId())));
        jdbc.update("DELETE FROM token_usage WHERE token_id = ?", e.tokenId());
        jdbc.update("DELETE FROM rm_tokens WHERE id = ?", e.tokenId());
    }

    /** Adds the user's name and email, which the audit shows for the target user. */
    private Map<String, String> withUser(String userId, Map<String, String> meta) {
        jdbc.query("SELECT name, email FROM rm_users WHERE id = ?", rs -> {
            meta.putIfAbsent("user_name", rs.getString("name"));
            meta.putIfAbsent("user_email", rs.getString("email"));
        }, userId);
        return meta;
    }

    static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}

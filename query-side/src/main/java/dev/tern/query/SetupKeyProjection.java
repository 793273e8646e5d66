package dev.tern.query;

import static dev.tern.query.AuditTrail.meta;
import static dev.tern.query.UserProjection.listOrEmpty;
import static dev.tern.query.UserProjection.ts;

import dev.tern.events.SetupKeyAutoGroupsChanged;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.SetupKeyDeleted;
import dev.tern.events.SetupKeyRevoked;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Setup keys. Their usage (usedTimes, lastUsed) is counted by {@link PeerProjection} from PeerRegistered. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
class SetupKeyProjection {
    private final JdbcTemplate jdbc;
    private final AuditTrail audit;

    SetupKeyProjection(JdbcTemplate jdbc, AuditTrail audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    @ResetHandler
    void reset() {
        jdbc.execute("TRUNCATE rm_setup_keys");
    }

    @EventHandler
    void on(SetupKeyCreated e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.SETUP_KEY_CREATED, e.setupKeyId(),
                meta("name", e.name(), "type", e.type().wireName(), "key", e.keyPrefix()));
        jdbc.update("""
                        INSERT INTO rm_setup_keys (id, account_id, name, type, key_hash, key_prefix, expires_at,
                                                   auto_groups, usage_limit, ephemeral, allow_extra_dns_labels,
                                                   created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)
                        ON CONFLICT DO NOTHING""",
                e.setupKeyId(), e.accountId(), e.name(), e.type().name(), e.keyHash(), e.keyPrefix(),
                ts(e.expiresAt()), Json.write(listOrEmpty(e.autoGroups())), e.usageLimit(), e.ephemeral(),
                e.allowExtraDnsLabels(), ts(e.createdAt()), ts(e.createdAt()));
    }

    @EventHandler
    void on(SetupKeyRevoked e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.SETUP_KEY_REVOKED, e.setupKeyId(),
                meta("name", audit.setupKeyName(e.setupKeyId())));
        jdbc.update("UPDATE rm_setup_keys SET revoked = TRUE, updated_at = ? WHERE id = ?",
                ts(message.getTimestamp()), e.setupKeyId());
    }

    @EventHandler
    void on(SetupKeyAutoGroupsChanged e, EventMessage<?> message, TrackingToken token) {
        String keyName = audit.setupKeyName(e.setupKeyId());
        int sub = 0;
        for (String groupId : listOrEmpty(e.added())) {
            audit.record(message, token, sub++, e.accountId(), Activity.GROUP_ADDED_TO_SETUP_KEY, e.setupKeyId(),
                    meta("group", groupId, "group_name", audit.groupName(groupId), "setupkey", keyName));
        }
        for (String groupId : listOrEmpty(e.removed())) {
            audit.record(message, token, sub++, e.accountId(), Activity.GROUP_REMOVED_FROM_SETUP_KEY,
                    e.setupKeyId(),
                    meta("group", groupId, "group_name", audit.groupName(groupId), "setupkey", keyName));
        }
        jdbc.update("UPDATE rm_setup_keys SET auto_groups = ?::jsonb, updated_at = ? WHERE id = ?",
                Json.write(listOrEmpty(e.autoGroups())), ts(message.getTimestamp()), e.setupKeyId());
    }

    @EventHandler
    void on(SetupKeyDeleted e, EventMessage<?> message, TrackingToken token) {
        audit.record(message, token, e.accountId(), Activity.SETUP_KEY_DELETED, e.setupKeyId(),
                meta("name", audit.setupKeyName(e.setupKeyId())));
        jdbc.update("DELETE FROM rm_setup_keys WHERE id = ?", e.setupKeyId());
    }
}

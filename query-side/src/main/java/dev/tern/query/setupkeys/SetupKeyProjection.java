package dev.tern.query.setupkeys;

import static dev.tern.query.jdbc.Rows.listOrEmpty;
import static dev.tern.query.jdbc.Rows.ts;

import dev.tern.events.SetupKeyAutoGroupsChanged;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.SetupKeyDeleted;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.WriteBehind;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Setup keys. Their usage (usedTimes, lastUsed) is counted by {@code peers.PeerProjection} from PeerRegistered. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class SetupKeyProjection {
    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;

    SetupKeyProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
    }

    @ResetHandler
    void reset() {
        // DELETE, not TRUNCATE, which would lock readers out until the rebuild commits (ReadModelRebuild).
        jdbc.execute("DELETE FROM rm_setup_keys");
    }

    @EventHandler
    void on(SetupKeyCreated e) {
        writes.update("""
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
    void on(SetupKeyRevoked e, EventMessage<?> message) {
        writes.update("UPDATE rm_setup_keys SET revoked = TRUE, updated_at = ? WHERE id = ?",
                ts(message.getTimestamp()), e.setupKeyId());
    }

    @EventHandler
    void on(SetupKeyAutoGroupsChanged e, EventMessage<?> message) {
        writes.update("UPDATE rm_setup_keys SET auto_groups = ?::jsonb, updated_at = ? WHERE id = ?",
                Json.write(listOrEmpty(e.autoGroups())), ts(message.getTimestamp()), e.setupKeyId());
    }

    @EventHandler
    void on(SetupKeyDeleted e) {
        writes.update("DELETE FROM rm_setup_keys WHERE id = ?", e.setupKeyId());
    }
}

package dev.tern.query;

import dev.tern.events.meta.Actor;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes audit rows for the projections. Each projection records the activity before it changes its tables, so
 * names that are about to disappear (a deleted peer's name, a removed group's name) still reach the audit meta.
 */
@Component
class AuditTrail {
    private final JdbcTemplate jdbc;

    AuditTrail(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The first (usually only) row an event yields. */
    void record(EventMessage<?> message, TrackingToken token, String accountId, Activity activity, String targetId,
                Map<String, String> meta) {
        record(message, token, 0, accountId, activity, targetId, meta);
    }

    /** Row {@code sub} of an event that yields several (one per added group, ...). */
    void record(EventMessage<?> message, TrackingToken token, int sub, String accountId, Activity activity,
                String targetId, Map<String, String> meta) {
        long globalIndex = globalIndex(token);
        Actor actor = Actor.fromMetadata(message.getMetaData());
        jdbc.update("""
                        INSERT INTO rm_audit (global_index, sub, account_id, occurred_at, activity, activity_code,
                                              initiator_id, initiator_name, initiator_email, target_id, meta)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (global_index, sub) DO NOTHING""",
                globalIndex, sub, accountId, Timestamp.from(message.getTimestamp()), activity.text, activity.code,
                actor.id(), actor.name(), actor.email(), targetId == null ? "" : targetId, Json.write(meta));
    }

    /** Meta with the null values dropped, in insertion order. */
    static Map<String, String> meta(String... keysAndValues) {
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                meta.put(keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return meta;
    }

    String groupName(String groupId) {
        return single("SELECT name FROM rm_groups WHERE id = ?", groupId).orElse(null);
    }

    String setupKeyName(String setupKeyId) {
        return single("SELECT name FROM rm_setup_keys WHERE id = ?", setupKeyId).orElse(null);
    }

    Optional<String> single(String sql, String id) {
        if (id == null) {
            return Optional.empty();
        }
        return jdbc.queryForList(sql, String.class, id).stream().findFirst();
    }

    private static long globalIndex(TrackingToken token) {
        if (token == null || token.position().isEmpty()) {
            // The audit id is the event's position in the store; only a streaming processor knows it.
            throw new IllegalStateException("audit rows need the event's tracking token; run the "
                    + QuerySideConfiguration.READ_MODEL + " group on a streaming processor");
        }
        return token.position().getAsLong();
    }
}

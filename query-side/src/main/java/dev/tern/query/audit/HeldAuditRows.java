package dev.tern.query.audit;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * How audit rows are written: at once by the processor, numbered after their predecessor ({@link #INSERT}); held by
 * a full rebuild ({@link dev.tern.query.RebuildHeldWrites}: nothing reads rm_audit while it replays), which numbers
 * them itself, and written at each flush by one INSERT over column arrays, in the order they were made: one
 * statement for hundreds of rows, where a JDBC batch still executes one statement per row.
 */
final class HeldAuditRows {
    /**
     * A row as the processor writes it. Its id is the event's own global index, looked up by its identifier: the
     * processor's tracking token stands at the highest index it has seen, which is not the event's when the event
     * committed after later ones (the processor takes such gaps in as they fill). An event the store does not hold
     * (handed to the processor's handlers directly, as RedeliveryTest does) keeps the token's position.
     *
     * <p>Its account_seq (V230, which the unfiltered audit page reads) is its predecessor's in the account, in
     * (global_index, sub) order, + 1. Rows come in that order but for a late event's: the rows after it move up by
     * one. A row that is already there is left alone, and so are the rows after it.
     */
    static final String INSERT = """
            WITH event (g) AS (
                SELECT COALESCE((SELECT global_index FROM domain_event_entry WHERE event_identifier = ?), ?)),
            later AS (
                UPDATE rm_audit SET account_seq = account_seq + 1
                WHERE account_id = ? AND (global_index, sub) > ((SELECT g FROM event), ?)
                  AND NOT EXISTS (SELECT FROM rm_audit WHERE global_index = (SELECT g FROM event) AND sub = ?))
            INSERT INTO rm_audit (global_index, sub, account_id, occurred_at, activity, activity_code,
                                  initiator_id, initiator_name, initiator_email, target_id, meta, account_seq)
            VALUES ((SELECT g FROM event), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    COALESCE((SELECT account_seq FROM rm_audit
                              WHERE account_id = ? AND (global_index, sub) < ((SELECT g FROM event), ?)
                              ORDER BY global_index DESC, sub DESC LIMIT 1), 0) + 1)
            ON CONFLICT (global_index, sub) DO NOTHING""";
    /**
     * Every row a rebuild held, numbered by the rebuild: the same columns, one array each (unnest keeps their order).
     * A row that is kept gets the rebuild's number too, so a numbering a hand edit or an older version of this
     * projection left behind comes out exact; it is updated only when its number differs ({@code ON CONFLICT DO
     * UPDATE ... WHERE} would lock, and so write, every kept row, a million of them in a replay that keeps the trail).
     * The UPDATE sees the table as the statement started, so never the rows the INSERT adds.
     */
    private static final String INSERT_ALL = """
            WITH held AS (
                SELECT * FROM unnest(?::bigint[], ?::integer[], ?::text[], ?::timestamptz[], ?::text[], ?::text[],
                                     ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
                    AS h (global_index, sub, account_id, occurred_at, activity, activity_code, initiator_id,
                          initiator_name, initiator_email, target_id, meta, account_seq)),
            inserted AS (
                INSERT INTO rm_audit (global_index, sub, account_id, occurred_at, activity, activity_code,
                                      initiator_id, initiator_name, initiator_email, target_id, meta, account_seq)
                SELECT * FROM held
                ON CONFLICT (global_index, sub) DO NOTHING)
            UPDATE rm_audit a SET account_seq = h.account_seq FROM held h
            WHERE a.global_index = h.global_index AND a.sub = h.sub AND a.account_seq <> h.account_seq""";
    private static final int COLUMNS = 12;

    private final JdbcTemplate jdbc;
    private final ThreadLocal<List<Object[]>> held = new ThreadLocal<>();

    HeldAuditRows(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void hold() {
        held.set(new ArrayList<>());
    }

    /** Inserts the row as the processor writes it ({@link #INSERT}), numbered after its predecessor. */
    void insert(String eventIdentifier, long position, int sub, String accountId, Timestamp occurredAt,
                String activity, String activityCode, String initiatorId, String initiatorName, String initiatorEmail,
                String targetId, String meta) {
        jdbc.update(INSERT, eventIdentifier, position, accountId, sub, sub, sub, accountId, occurredAt, activity,
                activityCode, initiatorId, initiatorName, initiatorEmail, targetId, meta, accountId, sub);
    }

    /**
     * Holds a row a rebuild numbered; written at the next {@link #flush()}. Only a holding thread rebuilds: the
     * rebuild's numbering starts with the hold.
     */
    void rebuilt(long globalIndex, int sub, String accountId, Timestamp occurredAt, String activity,
                 String activityCode, String initiatorId, String initiatorName, String initiatorEmail,
                 String targetId, String meta, long accountSeq) {
        List<Object[]> rows = held.get();
        if (rows == null) {
            throw new IllegalStateException("a rebuilt audit row outside a rebuild's hold");
        }
        rows.add(new Object[] {globalIndex, sub, accountId, occurredAt, activity, activityCode, initiatorId,
                initiatorName, initiatorEmail, targetId, meta, accountSeq});
    }

    /** Inserts every row this thread holds, in order, in its transaction. */
    void flush() {
        List<Object[]> rows = held.get();
        if (rows == null || rows.isEmpty()) {
            return;
        }
        jdbc.execute((ConnectionCallback<Void>) connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT_ALL)) {
                for (int column = 0; column < COLUMNS; column++) {
                    String[] values = new String[rows.size()];
                    for (int i = 0; i < values.length; i++) {
                        Object value = rows.get(i)[column];
                        // an instant as ISO-8601 with its zone: the text of a timestamptz, whatever the JVM's zone
                        values[i] = value == null ? null
                                : value instanceof Timestamp ts ? ts.toInstant().toString() : value.toString();
                    }
                    Array array = connection.createArrayOf("text", values);
                    insert.setArray(column + 1, array);
                }
                insert.executeUpdate();
            }
            return null;
        });
        rows.clear();
    }

    /** Inserts each row at once again; rows still held are dropped (the rebuild rolls back). */
    void stop() {
        held.remove();
    }
}

package dev.tern.query.audit;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit rows a full rebuild holds ({@link dev.tern.query.RebuildHeldWrites}: nothing reads rm_audit while it
 * replays), written at each flush by one INSERT over column arrays, in the order they were made: one statement for
 * hundreds of rows, where a JDBC batch still executes one statement per row. Any other thread inserts at once.
 */
final class HeldAuditRows {
    /** One row, as {@link #INSERT} takes it. */
    static final String INSERT = """
            INSERT INTO rm_audit (global_index, sub, account_id, occurred_at, activity, activity_code,
                                  initiator_id, initiator_name, initiator_email, target_id, meta)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (global_index, sub) DO NOTHING""";
    /** Every held row: the same columns as {@link #INSERT}, one array each (unnest keeps their order). */
    private static final String INSERT_ALL = """
            INSERT INTO rm_audit (global_index, sub, account_id, occurred_at, activity, activity_code,
                                  initiator_id, initiator_name, initiator_email, target_id, meta)
            SELECT * FROM unnest(?::bigint[], ?::integer[], ?::text[], ?::timestamptz[], ?::text[], ?::text[],
                                 ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
            ON CONFLICT (global_index, sub) DO NOTHING""";
    private static final int COLUMNS = 11;

    private final JdbcTemplate jdbc;
    private final ThreadLocal<List<Object[]>> held = new ThreadLocal<>();

    HeldAuditRows(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void hold() {
        held.set(new ArrayList<>());
    }

    /** Inserts the row ({@link #INSERT}'s arguments), or holds it while this thread holds. */
    void insert(long globalIndex, int sub, String accountId, Timestamp occurredAt, String activity,
                String activityCode, String initiatorId, String initiatorName, String initiatorEmail, String targetId,
                String meta) {
        Object[] row = {globalIndex, sub, accountId, occurredAt, activity, activityCode, initiatorId, initiatorName,
                initiatorEmail, targetId, meta};
        List<Object[]> rows = held.get();
        if (rows == null) {
            jdbc.update(INSERT, row);
        } else {
            rows.add(row);
        }
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

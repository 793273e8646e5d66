package dev.tern.query.audit;

import dev.tern.query.jdbc.CopyRows;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * How audit rows are written: at once by the processor, numbered after their predecessor ({@link #INSERT}); held by
 * a full rebuild ({@link dev.tern.query.RebuildHeldWrites}: nothing reads rm_audit while it replays), which numbers
 * them itself, and written at each flush by {@code COPY}: one stream for hundreds of rows, where a JDBC batch still
 * executes one statement per row.
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
    /** rm_audit's columns a rebuilt row fills, in the order {@link #rebuilt} takes them. */
    private static final List<String> COLUMNS = List.of("global_index", "sub", "account_id", "occurred_at",
            "activity", "activity_code", "initiator_id", "initiator_name", "initiator_email", "target_id", "meta",
            "account_seq");
    /** Where a flush copies its rows when rm_audit held rows as the rebuild began: no index, dropped at commit. */
    private static final String STAGING = "tern_rebuilt_audit";
    private static final String CREATE_STAGING = "CREATE TEMP TABLE IF NOT EXISTS " + STAGING + """
             (global_index BIGINT, sub INTEGER, account_id TEXT, occurred_at TIMESTAMPTZ, activity TEXT,
              activity_code TEXT, initiator_id TEXT, initiator_name TEXT, initiator_email TEXT, target_id TEXT,
              meta TEXT, account_seq BIGINT) ON COMMIT DROP""";
    /**
     * The staged rows into rm_audit, those it holds already kept. A row that is kept gets the rebuild's number too,
     * so a numbering a hand edit or an older version of this projection left behind comes out exact; it is updated
     * only when its number differs ({@code ON CONFLICT DO UPDATE ... WHERE} would lock, and so write, every kept
     * row, a million of them in a replay that keeps the trail). The UPDATE sees the table as the statement started,
     * so never the rows the INSERT adds.
     */
    private static final String INSERT_STAGED = """
            WITH inserted AS (
                INSERT INTO rm_audit (global_index, sub, account_id, occurred_at, activity, activity_code,
                                      initiator_id, initiator_name, initiator_email, target_id, meta, account_seq)
                SELECT * FROM %1$s
                ON CONFLICT (global_index, sub) DO NOTHING)
            UPDATE rm_audit a SET account_seq = h.account_seq FROM %1$s h
            WHERE a.global_index = h.global_index AND a.sub = h.sub AND a.account_seq <> h.account_seq;
            TRUNCATE %1$s""".formatted(STAGING);

    /**
     * A rebuild's held rows, and whether rm_audit was empty when it began (known at its first flush, in its
     * transaction): then every row it writes is new (ids are event positions, each written once), so they are
     * copied straight in; otherwise through {@link #STAGING} to keep the rows that are there.
     */
    private static final class Held {
        final List<Object[]> rows = new ArrayList<>();
        Boolean tableWasEmpty;
        /** The definitions of the indexes an offline rebuild dropped, to create again at its end; null if none. */
        List<String> droppedIndexes;
    }

    private final JdbcTemplate jdbc;
    private final ThreadLocal<Held> held = new ThreadLocal<>();
    /**
     * Whether nothing else reads rm_audit while a rebuild runs ({@code tern-server replay}): then a rebuild into an
     * empty audit trail drops its secondary indexes and builds them once at the end, which PostgreSQL does far
     * faster than keeping six indexes up to date row by row (docs/benchmarks.md, 12a). Dropping an index locks the
     * table until the rebuild commits, which a running server's audit readers must not wait for.
     */
    private final boolean offline;

    HeldAuditRows(JdbcTemplate jdbc, boolean offline) {
        this.jdbc = jdbc;
        this.offline = offline;
    }

    void hold() {
        held.set(new Held());
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
        Held rows = held.get();
        if (rows == null) {
            throw new IllegalStateException("a rebuilt audit row outside a rebuild's hold");
        }
        rows.rows.add(new Object[] {globalIndex, sub, accountId, occurredAt, activity, activityCode, initiatorId,
                initiatorName, initiatorEmail, targetId, meta, accountSeq});
    }

    /** Writes every row this thread holds, by {@code COPY}, in its transaction. */
    void flush() {
        Held state = held.get();
        if (state == null || state.rows.isEmpty()) {
            return;
        }
        jdbc.execute((ConnectionCallback<Void>) connection -> {
            try (Statement statement = connection.createStatement()) {
                if (state.tableWasEmpty == null) {
                    try (ResultSet rs = statement.executeQuery("SELECT NOT EXISTS (SELECT FROM rm_audit)")) {
                        rs.next();
                        state.tableWasEmpty = rs.getBoolean(1);
                    }
                }
                if (state.tableWasEmpty) {
                    if (offline && state.droppedIndexes == null) {
                        state.droppedIndexes = dropSecondaryIndexes(statement);
                    }
                    // left open: PostgreSQL takes the rows in while the rebuild replays on (ended by finish())
                    CopyRows.append(connection, "rm_audit", COLUMNS, state.rows);
                } else {
                    statement.execute(CREATE_STAGING);
                    CopyRows.copy(connection, STAGING, COLUMNS, state.rows);
                    statement.execute(INSERT_STAGED);
                }
            }
            return null;
        });
        state.rows.clear();
    }

    /** Writes every row this thread holds and waits until PostgreSQL has them: the rebuild's last flush. */
    void finish() {
        flush();
        try {
            CopyRows.endOpenCopy();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("writing the rebuilt audit rows failed: " + e.getMessage(), e);
        }
        Held state = held.get();
        if (state != null && state.droppedIndexes != null) {
            List<String> definitions = state.droppedIndexes;
            state.droppedIndexes = null;
            jdbc.execute((ConnectionCallback<Void>) connection -> {
                try (Statement statement = connection.createStatement()) {
                    // one sort per index instead of a million insertions into it; memory for the sorts only
                    statement.execute("SET LOCAL maintenance_work_mem = '256MB'");
                    for (String definition : definitions) {
                        statement.execute(definition);
                    }
                }
                return null;
            });
        }
    }

    /**
     * Drops rm_audit's indexes but its primary key (in the rebuild's transaction: a failed rebuild rolls the drop
     * back) and answers the statements that create them again.
     */
    private static List<String> dropSecondaryIndexes(Statement statement) throws java.sql.SQLException {
        List<String> definitions = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (ResultSet rs = statement.executeQuery("""
                SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid
                WHERE x.indrelid = to_regclass('rm_audit') AND NOT x.indisprimary
                  AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.oid)
                ORDER BY i.relname""")) {
            while (rs.next()) {
                names.add(rs.getString(1));
                definitions.add(rs.getString(2));
            }
        }
        for (String name : names) {
            statement.execute("DROP INDEX \"" + name.replace("\"", "\"\"") + "\"");
        }
        return definitions;
    }

    /** Inserts each row at once again; rows still held are dropped (the rebuild rolls back). */
    void stop() {
        CopyRows.cancelOpenCopy();
        held.remove();
    }
}

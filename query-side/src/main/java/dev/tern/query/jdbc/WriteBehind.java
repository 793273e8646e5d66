package dev.tern.query.jdbc;

import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Utils;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The read-model writes of a thread that replays ({@link dev.tern.query.ReadModelRebuild}): while the thread holds,
 * every projection's statements wait in one queue, in the order they were made, and a flush sends them as
 * multi-statement queries (pgjdbc pipelines them: one round trip for hundreds of statements of any shape and
 * table). The order is kept across tables and projections, so a statement may rely on any earlier one (e.g.
 * GroupCreated's {@code NOT EXISTS} over rm_groups, a group deletion's update of the users that have it as an
 * auto-group). Reading a table the queue may still write needs a {@link #flush()} first. Any other thread (the live
 * processor, an as-of read) writes at once, as JDBC has it.
 *
 * <p>Each statement's shape is prepared once per hold ({@code PREPARE}, named for the hold) and run by
 * {@code EXECUTE}, so PostgreSQL plans it once, not once per row; {@link #flushAndRelease()} drops the prepared
 * statements again (a rebuild that fails leaves them on its connection, under names no one reuses). Arguments become
 * SQL literals: strings escaped by the driver itself ({@link Utils#escapeLiteral}, for the connection's
 * {@code standard_conforming_strings}), so event data cannot end a literal; numbers and booleans as themselves,
 * instants as {@code timestamptz} literals (every read table's instants are {@code TIMESTAMPTZ}). The statements'
 * own SQL must not hold {@code ?} inside a quoted literal (none does).
 */
public final class WriteBehind {
    /** Statements per multi-statement query: bounds the SQL text one flush builds at a time. */
    static final int STATEMENTS_PER_QUERY = 2_000;
    private static final ThreadLocal<Queue> HELD = new ThreadLocal<>();
    private static final AtomicLong HOLDS = new AtomicLong();

    private record Held(String sql, Object[] args) {
    }

    /** One hold's statements, and the names its statement shapes are prepared under (on the hold's connection). */
    private static final class Queue {
        final List<Held> statements = new ArrayList<>();
        final Map<String, String> prepared = new HashMap<>();
        final String prefix = "tern_write_behind_" + HOLDS.incrementAndGet() + "_";
        /** The connection {@link #prepared} live on: a flush outside a transaction may get another one. */
        BaseConnection preparedOn;
    }

    private final JdbcTemplate jdbc;

    public WriteBehind(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Holds the calling thread's statements from now on, every projection's alike. */
    public static void hold() {
        HELD.set(new Queue());
    }

    /** Executes each statement at once again; what is still held is dropped (the rebuild rolls back). */
    public static void stop() {
        HELD.remove();
    }

    /** Executes the statement, or holds it while this thread holds writes. */
    public void update(String sql, Object... args) {
        Queue queue = HELD.get();
        if (queue == null) {
            jdbc.update(sql, args);
        } else {
            queue.statements.add(new Held(sql, args.clone()));
        }
    }

    /** Executes what this thread holds, in order, in the thread's transaction. */
    public void flush() {
        flush(false);
    }

    /**
     * Executes what this thread holds once it holds at least this many statements: a rebuild flushes seldom, so the
     * audit rows' {@code COPY} streams on between flushes ({@link CopyRows#append}).
     */
    public void flushWhenHolding(int statements) {
        Queue queue = HELD.get();
        if (queue != null && queue.statements.size() >= statements) {
            flush(false);
        }
    }

    /** Executes what this thread holds and drops the statements it prepared: the last flush of a hold. */
    public void flushAndRelease() {
        flush(true);
    }

    private void flush(boolean release) {
        // a COPY the rebuild left streaming on this connection ends before any statement (or read after a flush)
        try {
            CopyRows.endOpenCopy();
        } catch (SQLException e) {
            throw new IllegalStateException("ending the rebuild's open COPY failed: " + e.getMessage(), e);
        }
        Queue queue = HELD.get();
        if (queue == null || (queue.statements.isEmpty() && !release)) {
            return;
        }
        List<Held> statements = queue.statements;
        jdbc.execute((ConnectionCallback<Void>) connection -> {
            BaseConnection postgres = connection.unwrap(BaseConnection.class);
            if (queue.preparedOn != postgres) {
                queue.prepared.clear();
                queue.preparedOn = postgres;
            }
            boolean standardStrings = postgres.getStandardConformingStrings();
            try (Statement statement = connection.createStatement()) {
                for (int start = 0; start < statements.size(); start += STATEMENTS_PER_QUERY) {
                    List<Held> part = statements.subList(start, Math.min(statements.size(),
                            start + STATEMENTS_PER_QUERY));
                    statement.execute(sql(queue, part, standardStrings));
                }
                if (release && !queue.prepared.isEmpty()) {
                    statement.execute(queue.prepared.values().stream().map(name -> "DEALLOCATE " + name)
                            .collect(Collectors.joining(";\n")));
                    queue.prepared.clear();
                }
            }
            return null;
        });
        statements.clear();
    }

    private static String sql(Queue queue, List<Held> statements, boolean standardStrings) throws SQLException {
        StringBuilder sql = new StringBuilder(statements.size() * 100);
        for (Held held : statements) {
            String name = queue.prepared.get(held.sql());
            if (name == null) {
                name = queue.prefix + queue.prepared.size();
                sql.append("PREPARE ").append(name).append(" AS ").append(numbered(held.sql())).append(";\n");
                queue.prepared.put(held.sql(), name);
            }
            sql.append("EXECUTE ").append(name);
            if (held.args().length > 0) {
                sql.append('(');
                for (int i = 0; i < held.args().length; i++) {
                    if (i > 0) {
                        sql.append(", ");
                    }
                    literal(sql, held.args()[i], standardStrings);
                }
                sql.append(')');
            }
            sql.append(";\n");
        }
        return sql.toString();
    }

    /** The statement with its {@code ?} placeholders outside quotes numbered as PREPARE takes them. */
    static String numbered(String sql) {
        StringBuilder out = new StringBuilder(sql.length() + 16);
        int parameter = 0;
        boolean quoted = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c == '?' && !quoted) {
                out.append('$').append(++parameter);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static void literal(StringBuilder out, Object value, boolean standardStrings) throws SQLException {
        if (value == null) {
            out.append("NULL");
        } else if (value instanceof Boolean b) {
            out.append(b ? "TRUE" : "FALSE");
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof java.math.BigDecimal) {
            // in parentheses: "x -" followed by a negative number would start a "--" comment
            out.append('(').append(value).append(')');
        } else if (value instanceof java.util.UUID uuid) {
            out.append('\'').append(uuid).append('\'');
        } else if (value instanceof Timestamp ts) {
            out.append('\'').append(ts.toInstant()).append("'::timestamptz");
        } else if (value instanceof String s) {
            out.append('\'');
            Utils.escapeLiteral(out, s, standardStrings);
            out.append('\'');
        } else {
            throw new IllegalArgumentException("no SQL literal for a " + value.getClass().getName());
        }
    }
}

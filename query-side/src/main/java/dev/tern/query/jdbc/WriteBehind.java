package dev.tern.query.jdbc;

import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.Utils;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The read-model writes of a thread that replays ({@link dev.tern.query.ReadModelRebuild}): while the thread holds,
 * every projection's statements wait in one queue, in the order they were made, and a flush sends them as
 * multi-statement queries (pgjdbc pipelines them: one round trip for hundreds of statements of any shape and
 * table). The order is kept across tables and projections, so a statement may rely on any earlier one (e.g.
 * GroupCreated's {@code NOT EXISTS} over rm_groups, the setup-key count of a peer inserted just before). Reading a
 * table the queue may still write needs a {@link #flush()} first. Any other thread (the live processor) writes at
 * once, as JDBC has it.
 *
 * <p>Parameters become SQL literals at the flush: strings escaped by the driver itself ({@link Utils#escapeLiteral},
 * for the connection's {@code standard_conforming_strings}), so event data cannot end a literal; numbers and booleans
 * as themselves, instants as {@code timestamptz} literals (every read table's instants are {@code TIMESTAMPTZ}).
 * The statements' own SQL must not hold {@code ?} inside a quoted literal (none does).
 */
public final class WriteBehind {
    /** Statements per multi-statement query: bounds the SQL text one flush builds at a time. */
    static final int STATEMENTS_PER_QUERY = 2_000;
    private static final ThreadLocal<List<Held>> HELD = new ThreadLocal<>();

    private record Held(String sql, Object[] args) {
    }

    private final JdbcTemplate jdbc;

    public WriteBehind(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Holds the calling thread's statements from now on, every projection's alike. */
    public static void hold() {
        HELD.set(new ArrayList<>());
    }

    /** Whether the calling thread holds its writes. */
    public static boolean holding() {
        return HELD.get() != null;
    }

    /** Executes each statement at once again; what is still held is dropped (the rebuild rolls back). */
    public static void stop() {
        HELD.remove();
    }

    /** Executes the statement, or holds it while this thread holds writes. */
    public void update(String sql, Object... args) {
        List<Held> statements = HELD.get();
        if (statements == null) {
            jdbc.update(sql, args);
        } else {
            statements.add(new Held(sql, args.clone()));
        }
    }

    /** Executes what this thread holds, in order, in the thread's transaction. */
    public void flush() {
        List<Held> statements = HELD.get();
        if (statements == null || statements.isEmpty()) {
            return;
        }
        jdbc.execute((ConnectionCallback<Void>) connection -> {
            boolean standardStrings = connection.unwrap(BaseConnection.class).getStandardConformingStrings();
            try (Statement statement = connection.createStatement()) {
                for (int start = 0; start < statements.size(); start += STATEMENTS_PER_QUERY) {
                    List<Held> part = statements.subList(start, Math.min(statements.size(),
                            start + STATEMENTS_PER_QUERY));
                    statement.execute(sql(part, standardStrings));
                }
            }
            return null;
        });
        statements.clear();
    }

    private static String sql(List<Held> statements, boolean standardStrings) throws SQLException {
        StringBuilder sql = new StringBuilder(statements.size() * 160);
        for (Held held : statements) {
            inline(sql, held.sql(), held.args(), standardStrings);
            sql.append(";\n");
        }
        return sql.toString();
    }

    /** The statement with each {@code ?} outside quotes replaced by its argument as a literal. */
    static void inline(StringBuilder out, String sql, Object[] args, boolean standardStrings) throws SQLException {
        int arg = 0;
        boolean quoted = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c == '?' && !quoted) {
                if (arg == args.length) {
                    throw new IllegalArgumentException("more placeholders than arguments in: " + sql);
                }
                literal(out, args[arg++], standardStrings);
            } else {
                out.append(c);
            }
        }
        if (arg != args.length) {
            throw new IllegalArgumentException(args.length + " arguments for " + arg + " placeholders in: " + sql);
        }
    }

    private static void literal(StringBuilder out, Object value, boolean standardStrings) throws SQLException {
        if (value == null) {
            out.append("NULL");
        } else if (value instanceof Boolean b) {
            out.append(b ? "TRUE" : "FALSE");
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            // in parentheses: "x -" followed by a negative number would start a "--" comment
            out.append('(').append(value).append(')');
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

package dev.tern.query.jdbc;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Collection;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Rows written by {@code COPY ... FROM STDIN} (pgjdbc's CopyManager): one stream, no statement per row, no SQL
 * text to parse or plan per row. The rows of a rebuild's folded tables and its audit trail go in this way.
 */
public final class CopyRows {
    /** Characters per {@code COPY} write: bounds the text held at once. */
    private static final int CHUNK = 1 << 20;

    /** A {@code COPY} left open on this thread's connection between batches ({@link #append}). */
    private record Open(CopyIn copy, String sql) {
    }

    private static final ThreadLocal<Open> OPEN = new ThreadLocal<>();

    private CopyRows() {
    }

    /** Copies the rows (values in the columns' order) into the table, on the caller's connection and transaction. */
    public static void copy(Connection connection, String table, List<String> columns, Collection<Object[]> rows)
            throws SQLException {
        endOpenCopy();
        if (rows.isEmpty()) {
            return;
        }
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql(table, columns));
        try {
            writeRows(copy, table, columns, rows);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /**
     * Streams the rows into this thread's open {@code COPY} into the table, opening one on the connection if none is
     * open (ending one into another table first), and leaves it open: PostgreSQL takes the rows in while the caller
     * goes on, instead of the caller waiting for each batch. Whoever uses the connection next on this thread ends it
     * first ({@link #endOpenCopy()}; {@link WriteBehind} and {@link #copy} do).
     */
    public static void append(Connection connection, String table, List<String> columns, Collection<Object[]> rows)
            throws SQLException {
        String sql = sql(table, columns);
        Open open = OPEN.get();
        if (open != null && !open.sql().equals(sql)) {
            endOpenCopy();
            open = null;
        }
        if (open == null) {
            open = new Open(connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql), sql);
            OPEN.set(open);
        }
        try {
            writeRows(open.copy(), table, columns, rows);
        } catch (SQLException | RuntimeException e) {
            cancelOpenCopy();
            throw e;
        }
    }

    /** Ends this thread's open {@code COPY}, if any, waiting for PostgreSQL to take in what it still has. */
    public static void endOpenCopy() throws SQLException {
        Open open = OPEN.get();
        if (open == null) {
            return;
        }
        OPEN.remove();
        try {
            open.copy().endCopy();
        } finally {
            if (open.copy().isActive()) {
                open.copy().cancelCopy();
            }
        }
    }

    /** Abandons this thread's open {@code COPY}, if any (its transaction fails), so the connection can roll back. */
    public static void cancelOpenCopy() {
        Open open = OPEN.get();
        if (open == null) {
            return;
        }
        OPEN.remove();
        try {
            if (open.copy().isActive()) {
                open.copy().cancelCopy();
            }
        } catch (SQLException e) {
            // the copy is abandoned either way; the rollback that follows reports what is wrong with the connection
        }
    }

    private static String sql(String table, List<String> columns) {
        return "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    private static void writeRows(CopyIn copy, String table, List<String> columns, Collection<Object[]> rows)
            throws SQLException {
        StringBuilder text = new StringBuilder(CHUNK + 4096);
        for (Object[] row : rows) {
            if (row.length != columns.size()) {
                throw new IllegalArgumentException(table + ": a row of " + row.length + " values for "
                        + columns.size() + " columns");
            }
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    text.append('\t');
                }
                copyText(text, row[i]);
            }
            text.append('\n');
            if (text.length() >= CHUNK) {
                write(copy, text);
            }
        }
        write(copy, text);
    }

    private static void write(CopyIn copy, StringBuilder text) throws SQLException {
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        text.setLength(0);
    }

    /** A value as COPY's text format has it: {@code \N} for null, backslash escapes for the separators. */
    static void copyText(StringBuilder out, Object value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        String text;
        if (value instanceof Boolean b) {
            text = b ? "t" : "f";
        } else if (value instanceof Timestamp ts) {
            // ISO-8601 with its zone: the text of a timestamptz, whatever the session's or the JVM's zone
            text = ts.toInstant().toString();
        } else if (value instanceof String || value instanceof Number || value instanceof java.util.UUID) {
            text = value.toString();
        } else {
            throw new IllegalArgumentException("no COPY text for a " + value.getClass().getName());
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
    }
}

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

    private CopyRows() {
    }

    /** Copies the rows (values in the columns' order) into the table, on the caller's connection and transaction. */
    public static void copy(Connection connection, String table, List<String> columns, Collection<Object[]> rows)
            throws SQLException {
        if (rows.isEmpty()) {
            return;
        }
        String sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN";
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
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
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
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

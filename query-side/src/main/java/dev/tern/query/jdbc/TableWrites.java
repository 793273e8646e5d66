package dev.tern.query.jdbc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A projection's writes to one read table by key: insert a row, update columns of a row, delete a row or the rows
 * holding a value. Live (the processor, any thread that does not fold) each is one SQL statement through
 * {@link WriteBehind}, the statements the projection wrote by hand before; on a thread that {@link #fold()}s (a
 * rebuild) they change a {@link FoldedTable} in memory instead, and {@link #writeFolded()} writes its final rows
 * once. A projection whose handlers write a table only through this has one description of what each event does,
 * for both.
 */
public final class TableWrites {
    /**
     * A table as its writes see it: its columns (those the projection writes, in the order {@link #insert} takes
     * them), its primary key, further unique keys (an insert that meets one changes nothing, as
     * {@code ON CONFLICT DO NOTHING} has it) and the columns {@link #deleteWhere} deletes by.
     */
    public record Shape(String table, List<String> columns, int[] primaryKey, List<int[]> uniqueKeys,
                        int[] lookupColumns) {
        public static Shape of(String table, List<String> columns, List<String> primaryKey,
                               List<List<String>> uniqueKeys, List<String> lookupColumns) {
            Function<List<String>, int[]> positions = names -> names.stream().mapToInt(name -> {
                int i = columns.indexOf(name);
                if (i < 0) {
                    throw new IllegalArgumentException(name + " is no column of " + table);
                }
                return i;
            }).toArray();
            return new Shape(table, List.copyOf(columns), positions.apply(primaryKey),
                    uniqueKeys.stream().map(positions).toList(), positions.apply(lookupColumns));
        }

        int column(String name) {
            int i = columns.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException(name + " is no column of " + table);
            }
            return i;
        }

        List<String> primaryKeyColumns() {
            return Arrays.stream(primaryKey).mapToObj(columns::get).toList();
        }
    }

    private final WriteBehind writes;
    private final JdbcTemplate jdbc;
    private final Shape shape;
    private final String insertSql;
    private final String deleteSql;
    private final ThreadLocal<FoldedTable> folded = new ThreadLocal<>();

    public TableWrites(JdbcTemplate jdbc, Shape shape) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
        this.shape = shape;
        this.insertSql = "INSERT INTO " + shape.table() + " (" + String.join(", ", shape.columns()) + ") VALUES ("
                + shape.columns().stream().map(c -> "?").collect(Collectors.joining(", "))
                + ") ON CONFLICT DO NOTHING";
        this.deleteSql = "DELETE FROM " + shape.table() + " WHERE " + whereKey();
    }

    /** Inserts the row (every column of the shape, in its order) unless a unique key is taken. */
    public void insert(Object... row) {
        FoldedTable table = folded.get();
        if (table != null) {
            table.insert(row);
        } else {
            writes.update(insertSql, row);
        }
    }

    /**
     * Sets columns (name, value, name, value, ...) of the row with this primary key (its value, or a list of the
     * values of a composite key); nothing if there is none.
     */
    public void update(Object primaryKey, Object... columnsAndValues) {
        FoldedTable table = folded.get();
        if (table != null) {
            table.update(primaryKey, columnsAndValues);
            return;
        }
        StringBuilder sql = new StringBuilder("UPDATE ").append(shape.table()).append(" SET ");
        List<Object> args = new ArrayList<>();
        for (int i = 0; i + 1 < columnsAndValues.length; i += 2) {
            if (i > 0) {
                sql.append(", ");
            }
            sql.append(shape.columns().get(shape.column((String) columnsAndValues[i]))).append(" = ?");
            args.add(columnsAndValues[i + 1]);
        }
        sql.append(" WHERE ").append(whereKey());
        args.addAll(keyValues(primaryKey));
        writes.update(sql.toString(), args.toArray());
    }

    /** Deletes the row with this primary key (its value, or a list of a composite key's values). */
    public void delete(Object primaryKey) {
        FoldedTable table = folded.get();
        if (table != null) {
            table.delete(primaryKey);
        } else {
            writes.update(deleteSql, keyValues(primaryKey).toArray());
        }
    }

    /** Deletes every row whose column (one of the shape's lookup columns) holds the value. */
    public void deleteWhere(String column, Object value) {
        FoldedTable table = folded.get();
        if (table != null) {
            table.deleteWhere(column, value);
        } else {
            writes.update("DELETE FROM " + shape.table() + " WHERE " + shape.columns().get(shape.column(column))
                    + " = ?", value);
        }
    }

    /** The table this thread folds, or null when its writes go to the database. */
    public FoldedTable folded() {
        return folded.get();
    }

    /** Folds this thread's writes from now on, into an empty table (the caller has deleted the table's rows). */
    public void fold() {
        folded.set(new FoldedTable(shape));
    }

    /**
     * Writes the rows this thread folded into the table ({@code COPY}, in the thread's transaction) and folds on
     * into an empty table.
     */
    public void writeFolded() {
        FoldedTable table = folded.get();
        if (table == null) {
            return;
        }
        jdbc.execute((ConnectionCallback<Void>) connection -> {
            table.copyInto(connection);
            return null;
        });
        folded.set(new FoldedTable(shape));
    }

    /** Writes at once again; rows still folded are dropped (the rebuild failed and rolls back). */
    public void stopFolding() {
        folded.remove();
    }

    private String whereKey() {
        return shape.primaryKeyColumns().stream().map(c -> c + " = ?").collect(Collectors.joining(" AND "));
    }

    private List<Object> keyValues(Object primaryKey) {
        if (shape.primaryKey().length == 1) {
            return java.util.Collections.singletonList(primaryKey);
        }
        List<?> values = (List<?>) primaryKey;
        if (values.size() != shape.primaryKey().length) {
            throw new IllegalArgumentException(shape.table() + "'s primary key has " + shape.primaryKey().length
                    + " columns");
        }
        return new ArrayList<>(values);
    }
}

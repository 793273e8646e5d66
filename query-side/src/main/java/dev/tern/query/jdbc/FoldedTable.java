package dev.tern.query.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One read table's rows held in memory while a rebuild replays into it, written once at the end by {@code COPY}.
 * A full history registers, renames, toggles and deletes most peers and memberships several times over; as SQL
 * every one of those is a statement (and, in the rebuild's single transaction, a row version PostgreSQL keeps until
 * it commits), folded here they cost a map operation and only the final rows reach the table (issue 12,
 * docs/benchmarks.md).
 *
 * <p>It behaves as the table does for the statements {@link TableWrites} makes: an insert that meets an existing
 * primary key or one of the further unique keys changes nothing ({@code ON CONFLICT DO NOTHING}), an update or
 * delete of a key that is not there changes nothing. It starts empty: the rebuild has deleted the table's rows.
 * Columns the projection never writes are left out of the {@code COPY}, so they take their defaults as an insert's
 * would.
 */
public final class FoldedTable {
    private final TableWrites.Shape shape;
    /** Rows by primary key (see {@link #key}), in the order they were inserted. */
    private final Map<Object, Object[]> rows = new LinkedHashMap<>();
    /** Per further unique key: its value → the row's primary key. */
    private final List<Map<Object, Object>> unique = new ArrayList<>();
    /** Per lookup column: its value → the primary keys of the rows that hold it. */
    private final Map<Integer, Map<Object, Set<Object>>> lookups = new HashMap<>();

    FoldedTable(TableWrites.Shape shape) {
        this.shape = shape;
        shape.uniqueKeys().forEach(u -> unique.add(new HashMap<>()));
        for (int column : shape.lookupColumns()) {
            lookups.put(column, new HashMap<>());
        }
    }

    /** Inserts the row (every column of the shape, in its order) unless a unique key is taken; true if inserted. */
    public boolean insert(Object... row) {
        if (row.length != shape.columns().size()) {
            throw new IllegalArgumentException(shape.table() + " has " + shape.columns().size() + " columns, not "
                    + row.length);
        }
        Object key = key(row, shape.primaryKey());
        if (rows.containsKey(key)) {
            return false;
        }
        for (int i = 0; i < unique.size(); i++) {
            if (unique.get(i).containsKey(key(row, shape.uniqueKeys().get(i)))) {
                return false;
            }
        }
        Object[] stored = row.clone();
        rows.put(key, stored);
        index(key, stored);
        return true;
    }

    /** The row of this primary key (single value, or a list for a composite key), or null. */
    public Object[] row(Object primaryKey) {
        Object[] row = rows.get(primaryKey);
        return row == null ? null : row.clone();
    }

    /** Sets columns (name, value, name, value, ...) of the row with this primary key; false if there is none. */
    public boolean update(Object primaryKey, Object... columnsAndValues) {
        Object[] row = rows.get(primaryKey);
        if (row == null) {
            return false;
        }
        unindex(primaryKey, row);
        for (int i = 0; i + 1 < columnsAndValues.length; i += 2) {
            row[shape.column((String) columnsAndValues[i])] = columnsAndValues[i + 1];
        }
        index(primaryKey, row);
        return true;
    }

    /** Deletes the row with this primary key; false if there is none. */
    public boolean delete(Object primaryKey) {
        Object[] row = rows.remove(primaryKey);
        if (row == null) {
            return false;
        }
        unindex(primaryKey, row);
        return true;
    }

    /** Deletes every row whose column (one of the shape's lookup columns) holds the value; how many went. */
    public int deleteWhere(String column, Object value) {
        Map<Object, Set<Object>> lookup = lookups.get(shape.column(column));
        if (lookup == null) {
            throw new IllegalArgumentException(column + " is no lookup column of " + shape.table());
        }
        Set<Object> keys = lookup.get(value);
        if (keys == null) {
            return 0;
        }
        List<Object> doomed = new ArrayList<>(keys);
        doomed.forEach(this::delete);
        return doomed.size();
    }

    /** How many rows the table holds. */
    public int size() {
        return rows.size();
    }

    /** Every row, in insertion order (copies). */
    public List<Object[]> rows() {
        return rows.values().stream().map(Object[]::clone).toList();
    }

    /** Writes every row into the table by {@code COPY}, on the caller's connection (the rebuild's transaction). */
    public void copyInto(Connection connection) throws SQLException {
        CopyRows.copy(connection, shape.table(), shape.columns(), rows.values());
    }

    private void index(Object primaryKey, Object[] row) {
        for (int i = 0; i < unique.size(); i++) {
            unique.get(i).put(key(row, shape.uniqueKeys().get(i)), primaryKey);
        }
        lookups.forEach((column, lookup) -> lookup.computeIfAbsent(row[column], v -> new LinkedHashSet<>())
                .add(primaryKey));
    }

    private void unindex(Object primaryKey, Object[] row) {
        for (int i = 0; i < unique.size(); i++) {
            unique.get(i).remove(key(row, shape.uniqueKeys().get(i)), primaryKey);
        }
        lookups.forEach((column, lookup) -> {
            Set<Object> keys = lookup.get(row[column]);
            if (keys != null && keys.remove(primaryKey) && keys.isEmpty()) {
                lookup.remove(row[column]);
            }
        });
    }

    /**
     * A key's value: the column's value for a single column, a list of them for several (list equality). A unique
     * key with a NULL in it never conflicts in PostgreSQL; such a row gets a key of its own.
     */
    private static Object key(Object[] row, int[] columns) {
        if (columns.length == 1) {
            Object value = row[columns[0]];
            return value == null ? new Object() : value;
        }
        Object[] values = new Object[columns.length];
        for (int i = 0; i < columns.length; i++) {
            values[i] = row[columns[i]];
            if (values[i] == null) {
                return new Object();
            }
        }
        return Collections.unmodifiableList(Arrays.asList(values));
    }
}

package dev.tern.query.history;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Sorts rows held in memory as the read tables' {@code ORDER BY} sorts them: text in the database's collation (which
 * Java's {@code compareTo} does not know: "Beta" and "beta", "_x" and "x" sort otherwise), timestamps as stored,
 * then the id. One round trip per list, however long.
 */
@Component
public class TableOrder {
    private final JdbcTemplate jdbc;

    public TableOrder(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Sorted by {@code first}, then {@code id}, both text: {@code ORDER BY name, id}. */
    public <T> List<T> byText(List<T> items, Function<T, String> first, Function<T, String> id) {
        return sorted(items, "?::text[]", first, id);
    }

    /** Sorted by {@code first} (an instant as a timestamptz column stores it), then {@code id}. */
    public <T> List<T> byTime(List<T> items, Function<T, Instant> first, Function<T, String> id) {
        return sorted(items, "?::text[]::timestamptz[]", item -> PointInTimeReads.asStored(first.apply(item)).toString(),
                id);
    }

    private <T> List<T> sorted(List<T> items, String firstType, Function<T, String> first, Function<T, String> id) {
        if (items.size() < 2) {
            return List.copyOf(items);
        }
        List<Long> order = jdbc.queryForList("SELECT o FROM unnest(" + firstType
                        + ", ?::text[]) WITH ORDINALITY AS t(a, b, o) ORDER BY a, b", Long.class,
                items.stream().map(first).toArray(String[]::new), items.stream().map(id).toArray(String[]::new));
        List<T> out = new ArrayList<>(items.size());
        order.forEach(o -> out.add(items.get((int) (o - 1))));
        return List.copyOf(out);
    }
}

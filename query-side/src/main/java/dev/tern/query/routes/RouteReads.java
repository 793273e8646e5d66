package dev.tern.query.routes;

import static dev.tern.query.jdbc.Rows.first;

import dev.tern.events.values.RouteDefinition;
import dev.tern.query.AsOfScope;
import dev.tern.query.jdbc.Json;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/** Reads of {@link RouteProjection}'s table, scoped to one account (another account's id is not found). */
@Component
public class RouteReads {
    /** What an as-of state answers for these reads ({@link AsOfScope}): the routes in {@link #routes}' order. */
    public interface AsOf {
        List<RouteView> routes();
    }

    private final JdbcTemplate jdbc;

    public RouteReads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<RouteView> routes(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().routes();
        }
        return jdbc.query("SELECT id, account_id, definition FROM rm_routes WHERE account_id = ? ORDER BY net_id, id",
                ROUTE, accountId);
    }

    public Optional<RouteView> route(String accountId, String routeId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().routes().stream().filter(r -> r.id().equals(routeId)).findFirst();
        }
        return first(jdbc.query("SELECT id, account_id, definition FROM rm_routes WHERE account_id = ? AND id = ?",
                ROUTE, accountId, routeId));
    }

    private static final RowMapper<RouteView> ROUTE = (rs, i) -> new RouteView(rs.getString(1), rs.getString(2),
            Json.read(rs.getString(3), RouteDefinition.class));
}

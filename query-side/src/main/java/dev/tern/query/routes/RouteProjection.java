package dev.tern.query.routes;

import dev.tern.events.RouteCreated;
import dev.tern.events.RouteDeleted;
import dev.tern.events.RouteUpdated;
import dev.tern.events.values.RouteDefinition;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.WriteBehind;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Routes, one row each with the definition the account stored. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class RouteProjection {
    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;

    RouteProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
    }

    @ResetHandler
    void reset() {
        // DELETE, not TRUNCATE, which would lock readers out until the rebuild commits (ReadModelRebuild).
        jdbc.execute("DELETE FROM rm_routes");
    }

    @EventHandler
    void on(RouteCreated e) {
        upsert(e.accountId(), e.routeId(), e.definition());
    }

    @EventHandler
    void on(RouteUpdated e) {
        upsert(e.accountId(), e.routeId(), e.definition());
    }

    @EventHandler
    void on(RouteDeleted e) {
        writes.update("DELETE FROM rm_routes WHERE id = ?", e.routeId());
    }

    private void upsert(String accountId, String routeId, RouteDefinition definition) {
        writes.update("""
                        INSERT INTO rm_routes (id, account_id, net_id, definition) VALUES (?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET net_id = EXCLUDED.net_id, definition = EXCLUDED.definition""",
                routeId, accountId, definition.netId(), Json.write(definition));
    }
}

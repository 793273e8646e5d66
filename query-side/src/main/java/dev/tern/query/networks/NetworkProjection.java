package dev.tern.query.networks;

import dev.tern.events.NetworkCreated;
import dev.tern.events.NetworkDeleted;
import dev.tern.events.NetworkResourceCreated;
import dev.tern.events.NetworkResourceDeleted;
import dev.tern.events.NetworkResourceUpdated;
import dev.tern.events.NetworkRouterCreated;
import dev.tern.events.NetworkRouterDeleted;
import dev.tern.events.NetworkRouterUpdated;
import dev.tern.events.NetworkUpdated;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.WriteBehind;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Networks, their resources and their routers, a row each. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class NetworkProjection {
    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;

    NetworkProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
    }

    @ResetHandler
    void reset() {
        // DELETE, not TRUNCATE, which would lock readers out until the rebuild commits (ReadModelRebuild).
        jdbc.execute("DELETE FROM rm_networks");
        jdbc.execute("DELETE FROM rm_network_resources");
        jdbc.execute("DELETE FROM rm_network_routers");
    }

    @EventHandler
    void on(NetworkCreated e) {
        upsertNetwork(e.accountId(), e.networkId(), e.name(), e.description());
    }

    @EventHandler
    void on(NetworkUpdated e) {
        upsertNetwork(e.accountId(), e.networkId(), e.name(), e.description());
    }

    @EventHandler
    void on(NetworkDeleted e) {
        writes.update("DELETE FROM rm_networks WHERE id = ?", e.networkId());
    }

    @EventHandler
    void on(NetworkResourceCreated e) {
        upsert("rm_network_resources", e.accountId(), e.networkId(), e.resourceId(), Json.write(e.definition()));
    }

    @EventHandler
    void on(NetworkResourceUpdated e) {
        upsert("rm_network_resources", e.accountId(), e.networkId(), e.resourceId(), Json.write(e.definition()));
    }

    @EventHandler
    void on(NetworkResourceDeleted e) {
        writes.update("DELETE FROM rm_network_resources WHERE id = ?", e.resourceId());
    }

    @EventHandler
    void on(NetworkRouterCreated e) {
        upsert("rm_network_routers", e.accountId(), e.networkId(), e.routerId(), Json.write(e.definition()));
    }

    @EventHandler
    void on(NetworkRouterUpdated e) {
        upsert("rm_network_routers", e.accountId(), e.networkId(), e.routerId(), Json.write(e.definition()));
    }

    @EventHandler
    void on(NetworkRouterDeleted e) {
        writes.update("DELETE FROM rm_network_routers WHERE id = ?", e.routerId());
    }

    private void upsertNetwork(String accountId, String networkId, String name, String description) {
        writes.update("""
                        INSERT INTO rm_networks (id, account_id, name, description) VALUES (?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description""",
                networkId, accountId, name, description == null ? "" : description);
    }

    /** {@code table} is one of this class's two constants, never input. */
    private void upsert(String table, String accountId, String networkId, String id, String definition) {
        writes.update("INSERT INTO " + table + " (id, account_id, network_id, definition) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT (id) DO UPDATE SET definition = EXCLUDED.definition", id, accountId, networkId,
                definition);
    }
}

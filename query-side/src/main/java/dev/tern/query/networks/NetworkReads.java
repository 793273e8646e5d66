package dev.tern.query.networks;

import static dev.tern.query.jdbc.Rows.first;

import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.query.AsOfScope;
import dev.tern.query.jdbc.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/** Reads of {@link NetworkProjection}'s tables, scoped to one account (another account's id is not found). */
@Component
public class NetworkReads {
    /**
     * What an as-of state answers for these reads ({@link AsOfScope}): networks in {@link #networks}' order,
     * every resource by id, every router by network and id.
     */
    public interface AsOf {
        List<NetworkView> networks();

        List<NetworkView.Resource> allResources();

        List<NetworkView.Router> allRouters();
    }

    private final JdbcTemplate jdbc;

    public NetworkReads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<NetworkView> networks(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().networks();
        }
        return networksWhere("", accountId);
    }

    public Optional<NetworkView> network(String accountId, String networkId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().networks().stream().filter(n -> n.id().equals(networkId)).findFirst();
        }
        return first(networksWhere(networkId, accountId, networkId));
    }

    /** The account's networks, or only {@code networkId} when it is not empty. */
    private List<NetworkView> networksWhere(String networkId, Object... args) {
        String resourceFilter = networkId.isEmpty() ? "account_id = ?" : "account_id = ? AND network_id = ?";
        String networkFilter = networkId.isEmpty() ? "account_id = ?" : "account_id = ? AND id = ?";
        Map<String, List<String>> resources = new HashMap<>();
        Map<String, List<String>> routers = new HashMap<>();
        jdbc.query("SELECT network_id, id FROM rm_network_resources WHERE " + resourceFilter + " ORDER BY id",
                rs -> {
                    resources.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }, args);
        jdbc.query("SELECT network_id, id FROM rm_network_routers WHERE " + resourceFilter + " ORDER BY id", rs -> {
            routers.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
        }, args);
        return jdbc.query("SELECT id, account_id, name, description FROM rm_networks WHERE " + networkFilter
                + " ORDER BY name, id", (rs, i) -> new NetworkView(rs.getString(1), rs.getString(2), rs.getString(3),
                rs.getString(4), List.copyOf(resources.getOrDefault(rs.getString(1), List.of())),
                List.copyOf(routers.getOrDefault(rs.getString(1), List.of()))), args);
    }

    public List<NetworkView.Resource> resources(String accountId, String networkId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().allResources().stream().filter(r -> r.networkId().equals(networkId)).toList();
        }
        return jdbc.query("SELECT id, network_id, definition FROM rm_network_resources WHERE account_id = ? "
                + "AND network_id = ? ORDER BY id", RESOURCE, accountId, networkId);
    }

    public Optional<NetworkView.Resource> resource(String accountId, String networkId, String resourceId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().allResources().stream().filter(r -> r.networkId().equals(networkId)
                    && r.id().equals(resourceId)).findFirst();
        }
        return first(jdbc.query("SELECT id, network_id, definition FROM rm_network_resources WHERE account_id = ? "
                + "AND network_id = ? AND id = ?", RESOURCE, accountId, networkId, resourceId));
    }

    /** Every resource of the account, whatever its network (groups list the resources they hold). */
    public List<NetworkView.Resource> allResources(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().allResources();
        }
        return jdbc.query("SELECT id, network_id, definition FROM rm_network_resources WHERE account_id = ? "
                + "ORDER BY id", RESOURCE, accountId);
    }

    public List<NetworkView.Router> routers(String accountId, String networkId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().allRouters().stream().filter(r -> r.networkId().equals(networkId)).toList();
        }
        return jdbc.query("SELECT id, network_id, definition FROM rm_network_routers WHERE account_id = ? "
                + "AND network_id = ? ORDER BY id", ROUTER, accountId, networkId);
    }

    /** Every router of the account (NetBird's GET /api/networks/routers). */
    public List<NetworkView.Router> allRouters(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().allRouters();
        }
        return jdbc.query("SELECT id, network_id, definition FROM rm_network_routers WHERE account_id = ? "
                + "ORDER BY network_id, id", ROUTER, accountId);
    }

    public Optional<NetworkView.Router> router(String accountId, String networkId, String routerId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().allRouters().stream().filter(r -> r.networkId().equals(networkId)
                    && r.id().equals(routerId)).findFirst();
        }
        return first(jdbc.query("SELECT id, network_id, definition FROM rm_network_routers WHERE account_id = ? "
                + "AND network_id = ? AND id = ?", ROUTER, accountId, networkId, routerId));
    }

    private static final RowMapper<NetworkView.Resource> RESOURCE = (rs, i) -> new NetworkView.Resource(
            rs.getString(1), rs.getString(2), Json.read(rs.getString(3), NetworkResourceDefinition.class));
    private static final RowMapper<NetworkView.Router> ROUTER = (rs, i) -> new NetworkView.Router(
            rs.getString(1), rs.getString(2), Json.read(rs.getString(3), NetworkRouterDefinition.class));
}

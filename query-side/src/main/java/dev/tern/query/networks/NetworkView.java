package dev.tern.query.networks;

import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import java.util.List;

/** A network with the ids of its resources and routers. */
public record NetworkView(String id, String accountId, String name, String description, List<String> resourceIds,
                          List<String> routerIds) {

    public record Resource(String id, String networkId, NetworkResourceDefinition definition) {
    }

    public record Router(String id, String networkId, NetworkRouterDefinition definition) {
    }
}

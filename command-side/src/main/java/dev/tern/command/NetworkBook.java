package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tern.events.CommandRejected;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.events.values.RouteDefinition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The networks of an account with their resources and routers (NetBird's Networks), and the checks NetBird's
 * networks manager makes: names, addresses that are a host, subnet or domain, existing groups and peers, exactly
 * one of router peer and peer groups. Indexed by referenced group (a group in use cannot be deleted) and by router
 * peer (a peer that routes a network cannot be deleted, as in NetBird).
 */
final class NetworkBook {

    record Network(String id, String name, String description) {
    }

    record Resource(String id, String networkId, NetworkResourceDefinition definition) {
    }

    record Router(String id, String networkId, NetworkRouterDefinition definition) {
    }

    record Snapshot(List<Network> networks, List<Resource> resources, List<Router> routers) {
    }

    private final Map<String, Network> networks = new HashMap<>();
    private final Map<String, Resource> resources = new HashMap<>();
    private final Map<String, Router> routers = new HashMap<>();
    private final GroupReferences byGroup = new GroupReferences();
    private final Map<String, TreeSet<String>> routersByPeer = new HashMap<>();

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static NetworkBook fromSnapshot(Snapshot snapshot) {
        NetworkBook book = new NetworkBook();
        snapshot.networks().forEach(book::putNetwork);
        snapshot.resources().forEach(book::putResource);
        snapshot.routers().forEach(book::putRouter);
        return book;
    }

    @JsonValue
    Snapshot snapshot() {
        List<Network> n = new ArrayList<>(networks.values());
        n.sort(Comparator.comparing(Network::id));
        List<Resource> r = new ArrayList<>(resources.values());
        r.sort(Comparator.comparing(Resource::id));
        List<Router> o = new ArrayList<>(routers.values());
        o.sort(Comparator.comparing(Router::id));
        return new Snapshot(n, r, o);
    }

    Network network(String id) {
        return networks.get(id);
    }

    /** The resource when it belongs to the network, else null. */
    Resource resource(String networkId, String id) {
        Resource resource = resources.get(id);
        return resource != null && resource.networkId().equals(networkId) ? resource : null;
    }

    /** The router when it belongs to the network, else null. */
    Router router(String networkId, String id) {
        Router router = routers.get(id);
        return router != null && router.networkId().equals(networkId) ? router : null;
    }

    boolean containsResource(String id) {
        return resources.containsKey(id);
    }

    boolean containsRouter(String id) {
        return routers.containsKey(id);
    }

    List<Resource> resourcesOf(String networkId) {
        return resources.values().stream().filter(r -> r.networkId().equals(networkId))
                .sorted(Comparator.comparing(Resource::id)).toList();
    }

    List<Router> routersOf(String networkId) {
        return routers.values().stream().filter(r -> r.networkId().equals(networkId))
                .sorted(Comparator.comparing(Router::id)).toList();
    }

    /** What uses the group (a resource in it, a router through it), described for a refusal; or null. */
    String anyReferencing(String groupId) {
        String id = byGroup.anyReferencer(groupId);
        if (id == null) {
            return null;
        }
        return resources.containsKey(id) ? "network resource '" + resources.get(id).definition().name() + "' (" + id
                + ")" : "network router " + id;
    }

    /** A router the peer is the routing peer of, or null. */
    String routerOfPeer(String peerId) {
        TreeSet<String> ids = routersByPeer.get(peerId);
        return ids == null ? null : ids.first();
    }

    void putNetwork(Network network) {
        networks.put(network.id(), network);
    }

    void removeNetwork(String id) {
        networks.remove(id);
    }

    void putResource(Resource resource) {
        removeResource(resource.id());
        resources.put(resource.id(), resource);
        byGroup.add(resource.id(), resource.definition().groups());
    }

    void removeResource(String id) {
        Resource old = resources.remove(id);
        if (old != null) {
            byGroup.remove(id, old.definition().groups());
        }
    }

    void putRouter(Router router) {
        removeRouter(router.id());
        routers.put(router.id(), router);
        byGroup.add(router.id(), router.definition().peerGroups());
        if (router.definition().peer() != null) {
            routersByPeer.computeIfAbsent(router.definition().peer(), p -> new TreeSet<>()).add(router.id());
        }
    }

    void removeRouter(String id) {
        Router old = routers.remove(id);
        if (old != null) {
            byGroup.remove(id, old.definition().peerGroups());
            String peer = old.definition().peer();
            if (peer != null) {
                Set<String> ids = routersByPeer.get(peer);
                ids.remove(id);
                if (ids.isEmpty()) {
                    routersByPeer.remove(peer);
                }
            }
        }
    }

    // --- checks

    static NetworkResourceDefinition checked(NetworkResourceDefinition definition, GroupBook groups) {
        Rules.present(definition, "network resource");
        Rules.name(definition.name(), "network resource name");
        Rules.text(definition.description(), "network resource description", InputLimits.MAX_DESCRIPTION);
        String type = definition.type();
        boolean routed = NetworkResourceDefinition.HOST.equals(type) || NetworkResourceDefinition.SUBNET.equals(type);
        if (routed) {
            Cidr prefix = Rules.present(definition.prefix(), "network resource prefix");
            if (NetworkResourceDefinition.HOST.equals(type) != (prefix.prefixLength() == 32)) {
                throw CommandRejected.invalid("a host resource is one address (/32), a subnet any shorter prefix");
            }
            if (definition.domain() != null) {
                throw CommandRejected.invalid("a " + type + " resource has no domain");
            }
        } else if (NetworkResourceDefinition.DOMAIN.equals(type)) {
            Rules.routedDomain(definition.domain());
            if (definition.prefix() != null) {
                throw CommandRejected.invalid("a domain resource has no prefix");
            }
        } else {
            throw CommandRejected.invalid("network resource type must be host, subnet or domain, not " + type);
        }
        Rules.distinctIds(definition.groups(), "network resource groups", InputLimits.MAX_AUTO_GROUPS);
        for (String groupId : definition.groups()) {
            if (!groups.contains(groupId)) {
                throw CommandRejected.invalid("group " + groupId + " not found");
            }
        }
        return definition;
    }

    static NetworkRouterDefinition checked(NetworkRouterDefinition definition, GroupBook groups, PeerBook peers) {
        Rules.present(definition, "network router");
        if ((definition.peer() == null) == definition.peerGroups().isEmpty()) {
            throw CommandRejected.invalid("a network router needs either a peer or peer groups, not both");
        }
        if (definition.metric() < RouteDefinition.MIN_METRIC || definition.metric() > RouteDefinition.MAX_METRIC) {
            throw CommandRejected.invalid("metric should be between " + RouteDefinition.MIN_METRIC + " and "
                    + RouteDefinition.MAX_METRIC);
        }
        if (definition.peer() != null && !peers.contains(definition.peer())) {
            throw CommandRejected.invalid("peer " + definition.peer() + " not found");
        }
        Rules.distinctIds(definition.peerGroups(), "network router peer groups", InputLimits.MAX_AUTO_GROUPS);
        for (String groupId : definition.peerGroups()) {
            if (!groups.contains(groupId)) {
                throw CommandRejected.invalid("group " + groupId + " not found");
            }
        }
        return definition;
    }
}

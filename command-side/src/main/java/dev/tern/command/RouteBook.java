package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tern.events.CommandRejected;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.RouteDefinition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The routes of an account, with the checks NetBird makes before it stores one (route.go validateRoute and
 * checkRoutePrefixOrDomainsExistForPeers): indexed by referenced group (a group in use cannot be deleted) and by
 * destination (a peer serves a network or domain list through one route only).
 */
final class RouteBook {

    record Route(String id, RouteDefinition definition) {
    }

    record Snapshot(List<Route> routes) {
    }

    private final Map<String, Route> byId = new HashMap<>();
    private final GroupReferences byGroup = new GroupReferences();
    /** Destination ({@link #destinationOf}) to the ids of the routes towards it. */
    private final Map<String, Set<String>> byDestination = new HashMap<>();

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static RouteBook fromSnapshot(Snapshot snapshot) {
        RouteBook book = new RouteBook();
        snapshot.routes().forEach(book::put);
        return book;
    }

    @JsonValue
    Snapshot snapshot() {
        List<Route> routes = new ArrayList<>(byId.values());
        routes.sort(Comparator.comparing(Route::id));
        return new Snapshot(routes);
    }

    Route get(String id) {
        return byId.get(id);
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    /** Some route referencing the group (as peer group, distribution or access-control group), or null. */
    Route anyReferencing(String groupId) {
        String id = byGroup.anyReferencer(groupId);
        return id == null ? null : byId.get(id);
    }

    void put(Route route) {
        remove(route.id());
        byId.put(route.id(), route);
        byGroup.add(route.id(), route.definition().referencedGroups());
        byDestination.computeIfAbsent(destinationOf(route.definition()), d -> new TreeSet<>()).add(route.id());
    }

    void remove(String id) {
        Route old = byId.remove(id);
        if (old != null) {
            byGroup.remove(id, old.definition().referencedGroups());
            String destination = destinationOf(old.definition());
            Set<String> ids = byDestination.get(destination);
            ids.remove(id);
            if (ids.isEmpty()) {
                byDestination.remove(destination);
            }
        }
    }

    /** Two routes go to the same place when they name the same network, or the same domains in the same order. */
    private static String destinationOf(RouteDefinition definition) {
        return definition.dynamic() ? "domains:" + String.join(",", definition.domains())
                : "network:" + definition.network();
    }

    /**
     * The definition when the account can take it for route {@code routeId} (new or replaced): sound values,
     * existing peer and groups, and no peer that already serves the same destination through another route.
     */
    RouteDefinition checked(String routeId, RouteDefinition definition, GroupBook groups, PeerBook peers) {
        Rules.present(definition, "route definition");
        if (definition.metric() < RouteDefinition.MIN_METRIC || definition.metric() > RouteDefinition.MAX_METRIC) {
            throw CommandRejected.invalid("metric should be between " + RouteDefinition.MIN_METRIC + " and "
                    + RouteDefinition.MAX_METRIC);
        }
        String netId = definition.netId();
        if (netId == null || netId.isBlank() || netId.codePointCount(0, netId.length()) > RouteDefinition.MAX_NET_ID) {
            throw CommandRejected.invalid("network_id should be between 1 and " + RouteDefinition.MAX_NET_ID
                    + " characters");
        }
        Rules.text(definition.description(), "route description", InputLimits.MAX_DESCRIPTION);
        if (definition.dynamic() == (definition.network() != null)) {
            throw CommandRejected.invalid("a route needs either a network or domains, not both");
        }
        if (definition.domains().size() > RouteDefinition.MAX_DOMAINS) {
            throw CommandRejected.invalid("a route may list at most " + RouteDefinition.MAX_DOMAINS + " domains");
        }
        definition.domains().forEach(Rules::routedDomain);
        Cidr meshNetwork = peers.network();
        if (definition.network() != null && meshNetwork.contains(definition.network())) {
            // WireGuard would then send mesh traffic to the routing peer instead of the peer that owns the address
            throw CommandRejected.invalid("route network " + definition.network() + " lies inside the account's mesh "
                    + "network " + meshNetwork);
        }
        if ((definition.peer() == null) == definition.peerGroups().isEmpty()) {
            throw CommandRejected.invalid("a route needs either a routing peer or peer groups, not both");
        }
        if (definition.peer() != null && !peers.contains(definition.peer())) {
            throw CommandRejected.invalid("peer " + definition.peer() + " not found");
        }
        Rules.distinctIds(definition.peerGroups(), "route peer groups", InputLimits.MAX_AUTO_GROUPS);
        Rules.distinctIds(definition.groups(), "route distribution groups", InputLimits.MAX_AUTO_GROUPS);
        Rules.distinctIds(definition.accessControlGroups(), "route access control groups",
                InputLimits.MAX_AUTO_GROUPS);
        if (definition.groups().isEmpty()) {
            throw CommandRejected.invalid("a route needs at least one distribution group");
        }
        for (String groupId : definition.referencedGroups()) {
            if (!groups.contains(groupId)) {
                throw CommandRejected.invalid("group " + groupId + " not found");
            }
        }
        requireNoPeerServingTwice(routeId, definition, groups, peers);
        return definition;
    }

    /** NetBird's "peer already has this route": one peer serves one destination through one route. */
    private void requireNoPeerServingTwice(String routeId, RouteDefinition definition, GroupBook groups,
                                           PeerBook peers) {
        Set<String> servingPeers = new HashSet<>();
        Set<String> servingGroups = new HashSet<>();
        for (String otherId : byDestination.getOrDefault(destinationOf(definition), Set.of())) {
            if (otherId.equals(routeId)) {
                continue;
            }
            RouteDefinition other = byId.get(otherId).definition();
            if (other.peer() != null) {
                servingPeers.add(other.peer());
            }
            for (String groupId : other.peerGroups()) {
                servingGroups.add(groupId);
                GroupBook.Group group = groups.get(groupId);
                if (group != null) {
                    servingPeers.addAll(group.peers());
                }
            }
        }
        String where = definition.dynamic() ? "domains " + definition.domains() : "network " + definition.network();
        if (definition.peer() != null && servingPeers.contains(definition.peer())) {
            throw CommandRejected.conflict("peer " + definition.peer() + " already has a route to " + where);
        }
        for (String groupId : definition.peerGroups()) {
            GroupBook.Group group = groups.get(groupId);
            if (servingGroups.contains(groupId)) {
                throw CommandRejected.conflict("peer group " + group.name() + " already has a route to " + where);
            }
            for (String peerId : new TreeSet<>(group.peers())) {
                if (servingPeers.contains(peerId)) {
                    PeerBook.Peer peer = peers.get(peerId);
                    throw CommandRejected.conflict("peer " + (peer == null ? peerId : peer.name()) + " of group "
                            + group.name() + " already has a route to " + where);
                }
            }
        }
    }
}

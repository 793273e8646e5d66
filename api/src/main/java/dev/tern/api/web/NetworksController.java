package dev.tern.api.web;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.events.commands.CreateNetwork;
import dev.tern.events.commands.DeleteNetwork;
import dev.tern.events.commands.DeleteNetworkResource;
import dev.tern.events.commands.DeleteNetworkRouter;
import dev.tern.events.commands.SaveNetworkResource;
import dev.tern.events.commands.SaveNetworkRouter;
import dev.tern.events.commands.UpdateNetwork;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.Ids;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.query.groups.GroupReads;
import dev.tern.query.groups.GroupView;
import dev.tern.query.groups.PolicyView;
import dev.tern.query.networks.NetworkReads;
import dev.tern.query.networks.NetworkView;
import jakarta.servlet.http.HttpServletRequest;
import java.net.IDN;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/networks}: NetBird's networks, with their resources ({@code /resources}: a host, subnet or domain,
 * in groups) and routers ({@code /routers}: a peer or peer groups, metric, masquerade). The edge reads a resource's
 * address as NetBird's GetResourceType does (an address or a /32 is a host, another prefix a subnet, anything else
 * a domain); the account checks references and values.
 */
@RestController
class NetworksController {
    private final NetworkReads reads;
    private final GroupReads groups;
    private final CommandService commands;

    NetworksController(NetworkReads reads, GroupReads groups, CommandService commands) {
        this.reads = reads;
        this.groups = groups;
        this.commands = commands;
    }

    record NetworkWrite(String name, String description) {
    }

    record ResourceWrite(String name, String description, String address, Boolean enabled, List<String> groups) {
    }

    record RouterWrite(String peer, List<String> peerGroups, Integer metric, Boolean masquerade, Boolean enabled) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record NetworkJson(String id, String name, String description, List<String> routers, int routingPeersCount,
                       List<String> resources, List<String> policies) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record ResourceJson(String id, String type, List<Json.GroupMinimum> groups, String name, String description,
                        String address, boolean enabled) {
        static ResourceJson of(NetworkView.Resource r, Function<String, Json.GroupMinimum> groups) {
            NetworkResourceDefinition d = r.definition();
            return new ResourceJson(r.id(), d.type(), d.groups().stream().map(groups).toList(), d.name(),
                    d.description(), d.address(), d.enabled());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RouterJson(String id, String peer, List<String> peerGroups, int metric, boolean masquerade,
                      boolean enabled) {
        static RouterJson of(NetworkView.Router r) {
            NetworkRouterDefinition d = r.definition();
            return new RouterJson(r.id(), d.peer() == null ? "" : d.peer(), d.peerGroups(), d.metric(),
                    d.masquerade(), d.enabled());
        }
    }

    // --- networks

    @GetMapping("/api/networks")
    List<NetworkJson> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        Context context = context(caller);
        return reads.networks(caller.accountId()).stream().map(n -> networkJson(caller, n, context)).toList();
    }

    @GetMapping("/api/networks/{networkId}")
    NetworkJson get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId) {
        caller.requireReadAll();
        return networkJson(caller, findNetwork(caller, networkId), context(caller));
    }

    @PostMapping("/api/networks")
    NetworkJson create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody(required = false) byte[] body,
                       HttpServletRequest request) {
        caller.requireWrite();
        NetworkWrite req = JsonBodies.read(body, NetworkWrite.class);
        String networkId = Ids.newId();
        commands.send(new CreateNetwork(caller.accountId(), networkId, JsonBodies.required(req.name(), "name"),
                        JsonBodies.text(req.description(), "description", InputLimits.MAX_DESCRIPTION)),
                caller.actor(), request.getRemoteAddr());
        return get(caller, networkId);
    }

    @PutMapping("/api/networks/{networkId}")
    NetworkJson update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId,
                       @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        findNetwork(caller, networkId);
        NetworkWrite req = JsonBodies.read(body, NetworkWrite.class);
        commands.send(new UpdateNetwork(caller.accountId(), networkId, JsonBodies.required(req.name(), "name"),
                        JsonBodies.text(req.description(), "description", InputLimits.MAX_DESCRIPTION)),
                caller.actor(), request.getRemoteAddr());
        return get(caller, networkId);
    }

    @DeleteMapping("/api/networks/{networkId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId,
                               HttpServletRequest request) {
        caller.requireWrite();
        findNetwork(caller, networkId);
        commands.send(new DeleteNetwork(caller.accountId(), networkId), caller.actor(), request.getRemoteAddr());
        return Json.EMPTY;
    }

    // --- resources

    @GetMapping("/api/networks/{networkId}/resources")
    List<ResourceJson> resources(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId) {
        caller.requireReadAll();
        findNetwork(caller, networkId);
        Function<String, Json.GroupMinimum> lookup = groupLookup(caller);
        return reads.resources(caller.accountId(), networkId).stream().map(r -> ResourceJson.of(r, lookup)).toList();
    }

    @GetMapping("/api/networks/{networkId}/resources/{resourceId}")
    ResourceJson resource(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId,
                          @PathVariable String resourceId) {
        caller.requireReadAll();
        return ResourceJson.of(findResource(caller, networkId, resourceId), groupLookup(caller));
    }

    @PostMapping("/api/networks/{networkId}/resources")
    ResourceJson createResource(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId,
                                @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        findNetwork(caller, networkId);
        NetworkResourceDefinition definition = resourceDefinition(JsonBodies.read(body, ResourceWrite.class));
        String resourceId = Ids.newId();
        commands.send(new SaveNetworkResource(caller.accountId(), networkId, resourceId, true, definition),
                caller.actor(), request.getRemoteAddr());
        return resource(caller, networkId, resourceId);
    }

    @PutMapping("/api/networks/{networkId}/resources/{resourceId}")
    ResourceJson updateResource(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId,
                                @PathVariable String resourceId, @RequestBody(required = false) byte[] body,
                                HttpServletRequest request) {
        caller.requireWrite();
        findResource(caller, networkId, resourceId);
        NetworkResourceDefinition definition = resourceDefinition(JsonBodies.read(body, ResourceWrite.class));
        commands.send(new SaveNetworkResource(caller.accountId(), networkId, resourceId, false, definition),
                caller.actor(), request.getRemoteAddr());
        return resource(caller, networkId, resourceId);
    }

    @DeleteMapping("/api/networks/{networkId}/resources/{resourceId}")
    Map<String, Object> deleteResource(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                       @PathVariable String networkId, @PathVariable String resourceId,
                                       HttpServletRequest request) {
        caller.requireWrite();
        findResource(caller, networkId, resourceId);
        commands.send(new DeleteNetworkResource(caller.accountId(), networkId, resourceId), caller.actor(),
                request.getRemoteAddr());
        return Json.EMPTY;
    }

    // --- routers

    @GetMapping("/api/networks/routers")
    List<RouterJson> allRouters(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        return reads.allRouters(caller.accountId()).stream().map(RouterJson::of).toList();
    }

    @GetMapping("/api/networks/{networkId}/routers")
    List<RouterJson> routers(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId) {
        caller.requireReadAll();
        findNetwork(caller, networkId);
        return reads.routers(caller.accountId(), networkId).stream().map(RouterJson::of).toList();
    }

    @GetMapping("/api/networks/{networkId}/routers/{routerId}")
    RouterJson router(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId,
                      @PathVariable String routerId) {
        caller.requireReadAll();
        return RouterJson.of(findRouter(caller, networkId, routerId));
    }

    @PostMapping("/api/networks/{networkId}/routers")
    RouterJson createRouter(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId,
                            @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        findNetwork(caller, networkId);
        NetworkRouterDefinition definition = routerDefinition(JsonBodies.read(body, RouterWrite.class));
        String routerId = Ids.newId();
        commands.send(new SaveNetworkRouter(caller.accountId(), networkId, routerId, true, definition),
                caller.actor(), request.getRemoteAddr());
        return router(caller, networkId, routerId);
    }

    @PutMapping("/api/networks/{networkId}/routers/{routerId}")
    RouterJson updateRouter(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String networkId,
                            @PathVariable String routerId, @RequestBody(required = false) byte[] body,
                            HttpServletRequest request) {
        caller.requireWrite();
        findRouter(caller, networkId, routerId);
        NetworkRouterDefinition definition = routerDefinition(JsonBodies.read(body, RouterWrite.class));
        commands.send(new SaveNetworkRouter(caller.accountId(), networkId, routerId, false, definition),
                caller.actor(), request.getRemoteAddr());
        return router(caller, networkId, routerId);
    }

    @DeleteMapping("/api/networks/{networkId}/routers/{routerId}")
    Map<String, Object> deleteRouter(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                     @PathVariable String networkId, @PathVariable String routerId,
                                     HttpServletRequest request) {
        caller.requireWrite();
        findRouter(caller, networkId, routerId);
        commands.send(new DeleteNetworkRouter(caller.accountId(), networkId, routerId), caller.actor(),
                request.getRemoteAddr());
        return Json.EMPTY;
    }

    // --- bodies

    static NetworkResourceDefinition resourceDefinition(ResourceWrite req) {
        String name = JsonBodies.required(req.name(), "name");
        String address = JsonBodies.required(req.address(), "address").trim();
        boolean enabled = JsonBodies.required(req.enabled(), "enabled");
        List<String> groupIds = JsonBodies.requiredIds(req.groups(), "groups", InputLimits.MAX_AUTO_GROUPS);
        String description = JsonBodies.text(req.description(), "description", InputLimits.MAX_DESCRIPTION);
        if (address.contains(":")) {
            throw ApiException.badRequest("invalid address " + address + ": IPv6 resources are not supported by Tern");
        }
        boolean looksLikeAddress = !address.isEmpty() && address.chars().allMatch(c -> c == '.' || c == '/'
                || Character.isDigit(c));
        if (looksLikeAddress) {
            Cidr prefix = RoutesController.network(address.contains("/") ? address : address + "/32");
            String type = prefix.prefixLength() == 32 ? NetworkResourceDefinition.HOST
                    : NetworkResourceDefinition.SUBNET;
            return new NetworkResourceDefinition(name, description, address, type, prefix, null, enabled, groupIds);
        }
        String domain;
        try {
            domain = IDN.toASCII(address.endsWith(".") ? address.substring(0, address.length() - 1) : address)
                    .toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid address " + address + ": not a valid host, subnet, or domain");
        }
        return new NetworkResourceDefinition(name, description, address, NetworkResourceDefinition.DOMAIN, null,
                domain, enabled, groupIds);
    }

    static NetworkRouterDefinition routerDefinition(RouterWrite req) {
        if (req.peer() == null && req.peerGroups() == null) {
            throw ApiException.badRequest("either 'peer' or 'peer_groups' should be provided");
        }
        if (req.peer() != null && req.peerGroups() != null) {
            throw ApiException.badRequest("only one of 'peer' or 'peer_groups' should be provided");
        }
        int metric = JsonBodies.required(req.metric(), "metric");
        boolean masquerade = JsonBodies.required(req.masquerade(), "masquerade");
        boolean enabled = JsonBodies.required(req.enabled(), "enabled");
        String peer = req.peer() == null ? null : JsonBodies.strings(List.of(req.peer()), "peer").get(0);
        return new NetworkRouterDefinition(peer,
                JsonBodies.ids(req.peerGroups(), "peer_groups", InputLimits.MAX_AUTO_GROUPS), metric, masquerade,
                enabled);
    }

    // --- reads

    /** What every network's answer needs from outside the network tables: groups and policies. */
    private record Context(Map<String, GroupView> groups, List<PolicyView> policies) {
    }

    private Context context(Caller caller) {
        return new Context(groups.groups(caller.accountId()).stream()
                .collect(Collectors.toMap(GroupView::id, g -> g)), groups.policies(caller.accountId()));
    }

    /**
     * NetBird's routing_peers_count (a router's peer, or the members of its peer groups) and policies (those with a
     * rule towards a group of one of the network's resources).
     */
    private NetworkJson networkJson(Caller caller, NetworkView network, Context context) {
        Set<String> routingPeers = new HashSet<>();
        for (NetworkView.Router router : reads.routers(caller.accountId(), network.id())) {
            if (router.definition().peer() != null) {
                routingPeers.add(router.definition().peer());
            }
            for (String groupId : router.definition().peerGroups()) {
                GroupView group = context.groups().get(groupId);
                if (group != null) {
                    group.peers().forEach(peer -> routingPeers.add(peer.id()));
                }
            }
        }
        Set<String> resourceGroups = new HashSet<>();
        Set<String> resourceIds = new HashSet<>(network.resourceIds());
        reads.resources(caller.accountId(), network.id())
                .forEach(resource -> resourceGroups.addAll(resource.definition().groups()));
        List<String> policies = context.policies().stream()
                .filter(p -> p.definition().rules().stream()
                        .anyMatch(rule -> rule.destinations().stream().anyMatch(resourceGroups::contains)
                                || rule.destinationResource() != null
                                && resourceIds.contains(rule.destinationResource().id())))
                .map(PolicyView::id).toList();
        return new NetworkJson(network.id(), network.name(), network.description(), network.routerIds(),
                routingPeers.size(), network.resourceIds(), policies);
    }

    private Function<String, Json.GroupMinimum> groupLookup(Caller caller) {
        return Json.GroupMinimum.lookup(groups.groups(caller.accountId()));
    }

    private NetworkView findNetwork(Caller caller, String networkId) {
        return reads.network(caller.accountId(), networkId)
                .orElseThrow(() -> ApiException.notFound("network " + networkId + " not found"));
    }

    private NetworkView.Resource findResource(Caller caller, String networkId, String resourceId) {
        return reads.resource(caller.accountId(), networkId, resourceId)
                .orElseThrow(() -> ApiException.notFound("network resource " + resourceId + " not found"));
    }

    private NetworkView.Router findRouter(Caller caller, String networkId, String routerId) {
        return reads.router(caller.accountId(), networkId, routerId)
                .orElseThrow(() -> ApiException.notFound("network router " + routerId + " not found"));
    }
}

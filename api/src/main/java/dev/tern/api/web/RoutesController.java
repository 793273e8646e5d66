package dev.tern.api.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.events.commands.CreateRoute;
import dev.tern.events.commands.DeleteRoute;
import dev.tern.events.commands.UpdateRoute;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.Ids;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.Ipv4;
import dev.tern.events.values.RouteDefinition;
import dev.tern.query.routes.RouteReads;
import dev.tern.query.routes.RouteView;
import jakarta.servlet.http.HttpServletRequest;
import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/routes}: NetBird's network routes (RouteRequest in, Route out). The edge checks what NetBird's handler
 * checks (exactly one of network and domains, exactly one of peer and peer_groups, network_id length) and reads
 * the network and domains as NetBird does (host bits masked off, domains lower-cased and in punycode); the account
 * checks references, metric and conflicts.
 */
@RestController
class RoutesController {
    private final RouteReads reads;
    private final CommandService commands;

    RoutesController(RouteReads reads, CommandService commands) {
        this.reads = reads;
        this.commands = commands;
    }

    /** NetBird's RouteRequest; boxed so a missing required field is told apart from false or 0. */
    record RouteWrite(String description, String networkId, Boolean enabled, String peer, List<String> peerGroups,
                      String network, List<String> domains, Integer metric, Boolean masquerade, List<String> groups,
                      Boolean keepRoute, List<String> accessControlGroups, Boolean skipAutoApply) {
    }

    /**
     * NetBird's Route as its handler writes it: {@code peer}, {@code network} and {@code domains} always present
     * (empty peer for a group route, the placeholder network for a domain route), {@code peer_groups} and
     * {@code access_control_groups} only when not empty.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record RouteJson(String id, String networkType, String description, String networkId, boolean enabled,
                     String peer, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> peerGroups,
                     String network, List<String> domains, int metric, boolean masquerade, List<String> groups,
                     boolean keepRoute, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> accessControlGroups,
                     boolean skipAutoApply) {
        static RouteJson of(RouteView view) {
            RouteDefinition d = view.definition();
            return new RouteJson(view.id(), d.networkTypeName(), d.description(), d.netId(), d.enabled(),
                    d.peer() == null ? "" : d.peer(), d.peerGroups(), d.networkText(), d.domains(), d.metric(),
                    d.masquerade(), d.groups(), d.keepRoute(), d.accessControlGroups(), d.skipAutoApply());
        }
    }

    @GetMapping("/api/routes")
    List<RouteJson> list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
        caller.requireReadAll();
        return reads.routes(caller.accountId()).stream().map(RouteJson::of).toList();
    }

    @GetMapping("/api/routes/{routeId}")
    RouteJson get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String routeId) {
        caller.requireReadAll();
        return RouteJson.of(find(caller, routeId));
    }

    @PostMapping("/api/routes")
    RouteJson create(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody(required = false) byte[] body,
                     HttpServletRequest request) {
        caller.requireWrite();
        RouteDefinition definition = definition(JsonBodies.read(body, RouteWrite.class));
        String routeId = Ids.newId();
        commands.send(new CreateRoute(caller.accountId(), routeId, definition), caller.actor(),
                request.getRemoteAddr());
        return RouteJson.of(find(caller, routeId));
    }

    @PutMapping("/api/routes/{routeId}")
    RouteJson update(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String routeId,
                     @RequestBody(required = false) byte[] body, HttpServletRequest request) {
        caller.requireWrite();
        find(caller, routeId);
        RouteDefinition definition = definition(JsonBodies.read(body, RouteWrite.class));
        commands.send(new UpdateRoute(caller.accountId(), routeId, definition), caller.actor(),
                request.getRemoteAddr());
        return RouteJson.of(find(caller, routeId));
    }

    @DeleteMapping("/api/routes/{routeId}")
    Map<String, Object> delete(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String routeId,
                               HttpServletRequest request) {
        caller.requireWrite();
        find(caller, routeId);
        commands.send(new DeleteRoute(caller.accountId(), routeId), caller.actor(), request.getRemoteAddr());
        return Json.EMPTY;
    }

    static RouteDefinition definition(RouteWrite req) {
        if (req.network() != null && req.domains() != null) {
            throw ApiException.badRequest("only one of 'network' or 'domains' should be provided");
        }
        if (req.network() == null && req.domains() == null) {
            throw ApiException.badRequest("either 'network' or 'domains' should be provided");
        }
        if (req.peer() == null && req.peerGroups() == null) {
            throw ApiException.badRequest("either 'peer' or 'peer_groups' should be provided");
        }
        if (req.peer() != null && req.peerGroups() != null) {
            throw ApiException.badRequest("only one of 'peer' or 'peer_groups' should be provided");
        }
        String netId = JsonBodies.required(req.networkId(), "network_id");
        if (netId.isEmpty() || netId.codePointCount(0, netId.length()) > RouteDefinition.MAX_NET_ID) {
            throw ApiException.badRequest("identifier should be between 1 and " + RouteDefinition.MAX_NET_ID
                    + " characters");
        }
        String description = JsonBodies.text(JsonBodies.required(req.description(), "description"), "description",
                InputLimits.MAX_DESCRIPTION);
        boolean enabled = JsonBodies.required(req.enabled(), "enabled");
        int metric = JsonBodies.required(req.metric(), "metric");
        boolean masquerade = JsonBodies.required(req.masquerade(), "masquerade");
        List<String> groups = JsonBodies.requiredIds(req.groups(), "groups", InputLimits.MAX_AUTO_GROUPS);
        boolean keepRoute = JsonBodies.required(req.keepRoute(), "keep_route");
        List<String> peerGroups = JsonBodies.ids(req.peerGroups(), "peer_groups", InputLimits.MAX_AUTO_GROUPS);
        List<String> accessControlGroups = JsonBodies.ids(req.accessControlGroups(), "access_control_groups",
                InputLimits.MAX_AUTO_GROUPS);
        String peer = req.peer() == null ? null : JsonBodies.strings(List.of(req.peer()), "peer").get(0);
        return new RouteDefinition(description, netId, enabled, peer, peerGroups,
                req.network() == null ? null : network(req.network()),
                req.domains() == null ? null : domains(req.domains()), metric, masquerade, groups, keepRoute,
                accessControlGroups, req.skipAutoApply() != null && req.skipAutoApply());
    }

    /** An IPv4 prefix with its host bits masked off, as NetBird's route.ParseNetwork does. */
    static Cidr network(String text) {
        if (text.contains(":")) {
            throw ApiException.badRequest("invalid network " + text + ": IPv6 routes are not supported by Tern");
        }
        int slash = text.indexOf('/');
        try {
            if (slash < 0) {
                throw new InvalidValueException("'" + text + "' is not in CIDR notation (address/prefix)");
            }
            Cidr parsed = Cidr.parse(Ipv4.format(0) + text.substring(slash));
            int prefix = parsed.prefixLength();
            int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            return new Cidr(Ipv4.format(Ipv4.parse(text.substring(0, slash), "network address") & mask), prefix);
        } catch (InvalidValueException e) {
            throw ApiException.badRequest("invalid network " + text + ": " + e.getMessage());
        }
    }

    /** Domains as NetBird keeps them: lower case, punycode, without a trailing dot; at most 32. */
    static List<String> domains(List<String> texts) {
        List<String> given = JsonBodies.strings(texts, "domains");
        if (given.isEmpty()) {
            throw ApiException.badRequest("invalid domains: the list is empty");
        }
        if (given.size() > RouteDefinition.MAX_DOMAINS) {
            throw ApiException.badRequest("invalid domains: more than " + RouteDefinition.MAX_DOMAINS + " domains");
        }
        List<String> domains = new ArrayList<>(given.size());
        for (String text : given) {
            String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
            try {
                domains.add(IDN.toASCII(name).toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid domains: '" + text + "' is not a valid domain");
            }
        }
        return domains;
    }

    private RouteView find(Caller caller, String routeId) {
        return reads.route(caller.accountId(), routeId)
                .orElseThrow(() -> ApiException.notFound("route " + routeId + " not found"));
    }
}

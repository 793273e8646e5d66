package dev.tern.agent.routing;

import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.agent.dataplane.ForwardRuleSpec;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PortInfo;
import dev.tern.protocol.management.Route;
import dev.tern.protocol.management.RouteFirewallRule;
import dev.tern.protocol.management.RuleAction;
import dev.tern.protocol.management.RuleProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A map's routes and, for a routing peer, its route firewall rules (what it may forward), read from NetBird's
 * messages. Routes and rules this agent cannot apply exactly are left out: domain routes and IPv6 networks (the
 * mesh is IPv4), custom protocols, malformed prefixes. Leaving a rule out only ever forwards less.
 */
public record MapRoutes(List<RouteSpec> routes, List<ForwardRuleSpec> forwardRules) {
    private static final Logger LOG = LoggerFactory.getLogger(MapRoutes.class);
    private static final Pattern IPV4_CIDR = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)/(3[0-2]|[12]?\\d)");

    public static final MapRoutes NONE = new MapRoutes(List.of(), List.of());

    public MapRoutes {
        routes = List.copyOf(routes);
        forwardRules = List.copyOf(forwardRules);
    }

    public static MapRoutes from(NetworkMap map) {
        List<RouteSpec> routes = new ArrayList<>();
        for (Route route : map.getRoutesList()) {
            if (!isIpv4Cidr(route.getNetwork()) || !isWireGuardKey(route.getPeer())) {
                LOG.warn("skipping route {}: only IPv4 network routes are applied", route.getID());
                continue;
            }
            routes.add(new RouteSpec(route.getID(), route.getNetID(), route.getNetwork(), route.getPeer(),
                    route.getMetric(), route.getMasquerade()));
        }
        List<ForwardRuleSpec> rules = new ArrayList<>();
        for (RouteFirewallRule rule : map.getRoutesFirewallRulesList()) {
            try {
                forwardRule(rule).ifPresent(rules::add);
            } catch (IllegalArgumentException e) {
                LOG.warn("skipping a route firewall rule that cannot be enforced: {}", e.getMessage());
            }
        }
        return new MapRoutes(routes, rules);
    }

    static java.util.Optional<ForwardRuleSpec> forwardRule(RouteFirewallRule rule) {
        FirewallRuleSpec.Protocol protocol = protocol(rule.getProtocol()).orElse(null);
        if (protocol == null) {
            return java.util.Optional.empty();
        }
        if (!isIpv4Cidr(rule.getDestination())) {
            return java.util.Optional.empty(); // a domain route's dynamic rule, or IPv6
        }
        List<String> sources = rule.getSourceRangesList().stream().filter(MapRoutes::isIpv4Cidr).toList();
        if (sources.isEmpty()) {
            return java.util.Optional.empty();
        }
        int from = 0;
        int to = 0;
        if ((protocol == FirewallRuleSpec.Protocol.TCP || protocol == FirewallRuleSpec.Protocol.UDP)
                && rule.hasPortInfo()) {
            PortInfo info = rule.getPortInfo();
            if (info.hasRange()) {
                from = info.getRange().getStart();
                to = info.getRange().getEnd();
            } else if (info.hasPort()) {
                from = info.getPort();
                to = info.getPort();
            }
        }
        return java.util.Optional.of(new ForwardRuleSpec(sources, rule.getDestination(), protocol, from, to,
                rule.getAction() == RuleAction.ACCEPT));
    }

    /** A rule protocol the firewall can enforce exactly; custom protocols are not (nothing, then). */
    public static java.util.Optional<FirewallRuleSpec.Protocol> protocol(RuleProtocol protocol) {
        return switch (protocol) {
            case ALL -> java.util.Optional.of(FirewallRuleSpec.Protocol.ALL);
            case TCP -> java.util.Optional.of(FirewallRuleSpec.Protocol.TCP);
            case UDP -> java.util.Optional.of(FirewallRuleSpec.Protocol.UDP);
            case ICMP -> java.util.Optional.of(FirewallRuleSpec.Protocol.ICMP);
            default -> java.util.Optional.empty();
        };
    }

    static boolean isIpv4Cidr(String text) {
        return text != null && IPV4_CIDR.matcher(text).matches();
    }

    private static boolean isWireGuardKey(String base64) {
        try {
            return base64 != null && Base64.getDecoder().decode(base64).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

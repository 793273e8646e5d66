package dev.tern.projector;

import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * What a routing peer lets through towards a routed network, in NetBird's RouteFirewallRule shape: traffic from
 * {@code sourceRanges} (client peers' /32s, or 0.0.0.0/0 for a route without access-control groups) to
 * {@code destination} on {@code protocol} and {@code port} (null: every port), from policy {@code policyId} (empty
 * for the default permit) of route {@code routeId}.
 */
public record RouteFirewallRule(String routeId, String policyId, List<String> sourceRanges, RuleAction action,
                                String destination, Protocol protocol, PortRange port, boolean dynamic,
                                List<String> domains) {

    /** A map's route firewall rules in a canonical order: route, policy, protocol, ports, action. */
    static final Comparator<RouteFirewallRule> ORDER = Comparator.comparing(RouteFirewallRule::routeId)
            .thenComparing(RouteFirewallRule::policyId)
            .thenComparing(RouteFirewallRule::protocol)
            .thenComparingInt(r -> r.port() == null ? 0 : r.port().start())
            .thenComparingInt(r -> r.port() == null ? 0 : r.port().end())
            .thenComparing(RouteFirewallRule::action)
            .thenComparing(r -> String.join(",", r.sourceRanges()));

    public RouteFirewallRule {
        Objects.requireNonNull(routeId, "routeId");
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(protocol, "protocol");
        sourceRanges = List.copyOf(sourceRanges);
        domains = List.copyOf(domains);
    }
}

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
 * messages: IPv4 and IPv6 network routes and domain routes; a domain route's firewall rules (NetBird's dynamic
 * rules, whose destination is whatever the domains resolve to) as {@link DomainForwardRule}s. Routes and rules this
 * agent cannot apply exactly are left out: custom protocols, malformed prefixes or domains. Leaving a rule out only
 * ever forwards less. {@code meshIpv6}: the map gives this peer an IPv6 mesh address, so IPv6 routes can be used.
 */
public record MapRoutes(List<RouteSpec> routes, List<ForwardRuleSpec> forwardRules,
                        List<DomainForwardRule> domainForwardRules, boolean meshIpv6) {
    private static final Logger LOG = LoggerFactory.getLogger(MapRoutes.class);
    private static final Pattern IPV4_CIDR = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)/(3[0-2]|[12]?\\d)");

    private static final Pattern DOMAIN = Pattern.compile(
            "(\\*\\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\\.?");
    /** NetBird's network type of a domain route. */
    static final long NETWORK_TYPE_DOMAIN = 3;

    public static final MapRoutes NONE = new MapRoutes(List.of(), List.of());

    public MapRoutes {
        routes = List.copyOf(routes);
        forwardRules = List.copyOf(forwardRules);
        domainForwardRules = List.copyOf(domainForwardRules);
    }

    /** Network routes and their rules, on an IPv4-only mesh. */
    public MapRoutes(List<RouteSpec> routes, List<ForwardRuleSpec> forwardRules) {
        this(routes, forwardRules, List.of(), false);
    }

    public static MapRoutes from(NetworkMap map) {
        List<RouteSpec> routes = new ArrayList<>();
        for (Route route : map.getRoutesList()) {
            boolean domainRoute = route.getDomainsCount() > 0 || route.getNetworkType() == NETWORK_TYPE_DOMAIN;
            if (!isWireGuardKey(route.getPeer())) {
                LOG.warn("skipping route {}: its peer is not a WireGuard key", route.getID());
                continue;
            }
            if (domainRoute && (route.getDomainsCount() == 0
                    || !route.getDomainsList().stream().allMatch(MapRoutes::isDomain))) {
                LOG.warn("skipping domain route {}: its domains are not domain names", route.getID());
                continue;
            }
            if (!domainRoute && !isCidr(route.getNetwork())) {
                LOG.warn("skipping route {}: {} is not an IP network", route.getID(), route.getNetwork());
                continue;
            }
            routes.add(new RouteSpec(route.getID(), route.getNetID(), route.getNetwork(), route.getPeer(),
                    route.getMetric(), route.getMasquerade(), domainRoute ? route.getDomainsList() : List.of(),
                    route.getKeepRoute(), route.getSkipAutoApply()));
        }
        List<ForwardRuleSpec> rules = new ArrayList<>();
        List<DomainForwardRule> domainRules = new ArrayList<>();
        for (RouteFirewallRule rule : map.getRoutesFirewallRulesList()) {
            try {
                if (rule.getIsDynamic() || rule.getDomainsCount() > 0) {
                    domainForwardRule(rule).ifPresent(domainRules::add);
                } else {
                    forwardRule(rule).ifPresent(rules::add);
                }
            } catch (IllegalArgumentException e) {
                LOG.warn("skipping a route firewall rule that cannot be enforced: {}", e.getMessage());
            }
        }
        return new MapRoutes(routes, rules, domainRules, map.getPeerConfig().getAddressV6().size() == 17);
    }

    /**
     * A domain route's rule: what it allows towards the addresses its domains resolve to on this routing peer. The
     * destination is filled in per resolved address ({@link DomainForwardRule#forAddress}).
     */
    static java.util.Optional<DomainForwardRule> domainForwardRule(RouteFirewallRule rule) {
        List<String> domains = rule.getDomainsList().stream().filter(MapRoutes::isDomain).toList();
        if (domains.isEmpty() || domains.size() != rule.getDomainsCount()) {
            return java.util.Optional.empty();
        }
        // the template's destination is a stand-in: every resolved address replaces it
        RouteFirewallRule template = rule.toBuilder().setDestination("0.0.0.0/32").build();
        return forwardRule(template).map(spec -> new DomainForwardRule(domains, spec));
    }

    static java.util.Optional<ForwardRuleSpec> forwardRule(RouteFirewallRule rule) {
        FirewallRuleSpec.Protocol protocol = protocol(rule.getProtocol()).orElse(null);
        if (protocol == null) {
            return java.util.Optional.empty();
        }
        if (!isCidr(rule.getDestination())) {
            return java.util.Optional.empty();
        }
        List<String> sources = rule.getSourceRangesList().stream().filter(MapRoutes::isCidr).toList();
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

    /** An IPv4 CIDR, or an IPv6 one ({@code 2001:db8::/64}) with a prefix length in range. */
    static boolean isCidr(String text) {
        if (isIpv4Cidr(text)) {
            return true;
        }
        if (text == null || text.indexOf(':') < 0 || text.indexOf('/') < 0) {
            return false;
        }
        String address = text.substring(0, text.indexOf('/'));
        try {
            int bits = Integer.parseInt(text.substring(text.indexOf('/') + 1));
            return address.matches("[0-9A-Fa-f:]+") && bits >= 0 && bits <= 128
                    && java.net.InetAddress.getByName(address) instanceof java.net.Inet6Address;
        } catch (NumberFormatException | java.net.UnknownHostException e) {
            return false;
        }
    }

    /** A domain name or a wildcard {@code *.example.com}, as NetBird validates route domains. */
    static boolean isDomain(String text) {
        return text != null && text.length() <= 253 && DOMAIN.matcher(text.toLowerCase(java.util.Locale.ROOT)).matches()
                && text.indexOf('.') > 0;
    }

    private static boolean isWireGuardKey(String base64) {
        try {
            return base64 != null && Base64.getDecoder().decode(base64).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

package dev.tern.projector;

import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Why peer A could (or could not) reach peer B: the policy rules, routes and network resources that allowed it,
 * or, when nothing did, what was missing (a group membership, an enabled policy or rule, a peer whose login had
 * lapsed). Read from the same account graph and maps the live projector computes ({@link NetworkMapComputer}'s
 * rules), so an explanation never disagrees with what the peers were sent.
 */
public final class ReachExplainer {
    private ReachExplainer() {
    }

    /** Which way a grant lets traffic start. */
    public enum Direction { A_TO_B, B_TO_A, BOTH }

    /** What allowed it: a policy rule between groups, or a route (or network resource) through B. */
    public enum Kind { POLICY, ROUTE }

    /**
     * One thing that let traffic flow: for a policy rule its ids, names, action (a drop rule is listed, and blocks),
     * protocol and ports (empty: every port); for a route through B, its id and network (ports from B's route
     * firewall rules for A, empty when every port).
     */
    public record Grant(Kind kind, String policyId, String policyName, String ruleId, String ruleName,
                        RuleAction action, Direction direction, Protocol protocol, List<PortRange> ports,
                        String routeId, String network) {
    }

    /**
     * The answer. {@code allowed}: some accept grant exists, no drop rule matches and neither login lapsed;
     * {@code reasons} says in words why not (or what limits it); {@code inMap}: B is among A's map's peers.
     */
    public record Reach(boolean allowed, List<Grant> grants, List<String> reasons, boolean fromLoginExpired,
                        boolean toLoginExpired, boolean inMap) {
    }

    /**
     * Explains A to B in the account as the projector holds it; empty when the account or either peer is unknown.
     * {@code groupName} names groups in the reasons (ids of groups it does not know are shown as they are).
     */
    public static Optional<Reach> explain(NetworkMapProjector projector, String accountId, String fromPeerId,
                                          String toPeerId, Function<String, String> groupName) {
        return projector.readGraph(accountId, graph -> {
            if (graph == null) {
                return Optional.<Reach>empty();
            }
            AccountGraph.Peer a = graph.peer(fromPeerId);
            AccountGraph.Peer b = graph.peer(toPeerId);
            if (a == null || b == null) {
                return Optional.<Reach>empty();
            }
            return Optional.of(explain(graph, projector, a, b, groupName));
        });
    }

    private static Reach explain(AccountGraph graph, NetworkMapProjector projector, AccountGraph.Peer a,
                                 AccountGraph.Peer b, Function<String, String> groupName) {
        List<Grant> grants = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        String aName = "peer " + a.name;
        String bName = "peer " + b.name;
        List<String> policyIds = new ArrayList<>(graph.policyIds());
        policyIds.sort(Comparator.comparing((String id) -> graph.policy(id).name()).thenComparing(id -> id));
        for (String policyId : policyIds) {
            PolicyDefinition policy = graph.policy(policyId);
            for (PolicyRule rule : policy.rules()) {
                if (rule.destinationResource() != null) {
                    continue; // towards a network resource, not a peer: see the routes below
                }
                boolean aSource = inAny(graph, a, rule.sources());
                boolean aDestination = inAny(graph, a, rule.destinations());
                boolean bSource = inAny(graph, b, rule.sources());
                boolean bDestination = inAny(graph, b, rule.destinations());
                boolean forward = aSource && bDestination;
                boolean backward = bSource && aDestination;
                Direction direction = rule.bidirectional() && (forward || backward) ? Direction.BOTH
                        : forward && backward ? Direction.BOTH
                        : forward ? Direction.A_TO_B : backward ? Direction.B_TO_A : null;
                String ruleText = "rule '" + rule.name() + "' of policy '" + policy.name() + "'";
                if (direction == null) {
                    reasons.add(missing(rule, ruleText, aName, bName, aSource, aDestination, groupName));
                    continue;
                }
                if (!policy.enabled()) {
                    reasons.add("policy '" + policy.name() + "' is disabled (its rule '" + rule.name()
                            + "' would match)");
                    continue;
                }
                if (!rule.enabled()) {
                    reasons.add(ruleText + " is disabled");
                    continue;
                }
                List<PortRange> ports = new ArrayList<>(rule.ports());
                ports.addAll(rule.portRanges());
                grants.add(new Grant(Kind.POLICY, policyId, policy.name(), rule.id(), rule.name(), rule.action(),
                        direction, rule.protocol(), List.copyOf(ports), null, null));
                if (rule.action() == RuleAction.DROP) {
                    reasons.add(ruleText + " drops this traffic");
                }
            }
        }
        Optional<PeerNetworkMap> aMap = projector.currentMap(graph.accountId, a.id);
        Optional<PeerNetworkMap> bMap = projector.currentMap(graph.accountId, b.id);
        aMap.ifPresent(map -> map.routes().stream().filter(route -> route.routingPeer().equals(b.key))
                .forEach(route -> grants.add(new Grant(Kind.ROUTE, null, null, null, null, RuleAction.ACCEPT,
                        Direction.A_TO_B, Protocol.ALL, routePorts(bMap, route.id(), a), route.id(),
                        route.domains().isEmpty() ? route.network() : String.join(",", route.domains())))));
        if (a.loginExpired) {
            reasons.add(aName + "'s login had expired");
        }
        if (b.loginExpired) {
            reasons.add(bName + "'s login had expired");
        }
        boolean accepted = grants.stream().anyMatch(g -> g.action() == RuleAction.ACCEPT);
        boolean dropped = grants.stream().anyMatch(g -> g.action() == RuleAction.DROP);
        if (!accepted && grants.isEmpty() && policyIds.isEmpty()) {
            reasons.add("the account had no policies");
        }
        boolean inMap = aMap.map(map -> map.canSee(b.id)).orElse(false);
        return new Reach(accepted && !dropped && !a.loginExpired && !b.loginExpired, List.copyOf(grants),
                List.copyOf(reasons), a.loginExpired, b.loginExpired, inMap);
    }

    /** The route firewall ports B opens to A for a route; empty for every port. */
    private static List<PortRange> routePorts(Optional<PeerNetworkMap> routingPeerMap, String routeId,
                                              AccountGraph.Peer client) {
        String clientRange = client.ipText + "/32";
        List<PortRange> ports = new ArrayList<>();
        routingPeerMap.ifPresent(map -> map.routeFirewallRules().stream()
                .filter(rule -> rule.routeId().equals(routeId) && rule.action() == RuleAction.ACCEPT)
                .filter(rule -> rule.sourceRanges().contains(clientRange)
                        || rule.sourceRanges().contains("0.0.0.0/0"))
                .forEach(rule -> {
                    if (rule.port() != null) {
                        ports.add(rule.port());
                    }
                }));
        return List.copyOf(ports);
    }

    /** Which membership a non-matching rule lacked, in words. */
    private static String missing(PolicyRule rule, String ruleText, String aName, String bName, boolean aSource,
                                  boolean aDestination, Function<String, String> groupName) {
        String sources = names(rule.sources(), groupName);
        String destinations = names(rule.destinations(), groupName);
        if (aSource) {
            return bName + " is not in any destination group of " + ruleText + " (groups: " + destinations + ")";
        }
        if (rule.bidirectional() && aDestination) {
            return bName + " is not in any source group of " + ruleText + " (groups: " + sources + ")";
        }
        if (aDestination) {
            return aName + " is only in a destination group of " + ruleText + ", and " + bName
                    + " is not in any of its source groups (groups: " + sources + ")";
        }
        return aName + " is not in any source group of " + ruleText + " (groups: " + sources + ")"
                + (rule.bidirectional() ? " nor in any of its destination groups (groups: " + destinations + ")"
                : "");
    }

    private static String names(List<String> groupIds, Function<String, String> groupName) {
        return String.join(", ", groupIds.stream().map(id -> {
            String name = groupName.apply(id);
            return name == null ? id : name;
        }).toList());
    }

    private static boolean inAny(AccountGraph graph, AccountGraph.Peer peer, List<String> groupIds) {
        for (String groupId : groupIds) {
            if (graph.isMember(peer, groupId)) {
                return true;
            }
        }
        return false;
    }
}

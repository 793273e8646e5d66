package dev.tern.projector;

import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import java.util.Comparator;
import java.util.Objects;

/**
 * One firewall rule a peer enforces on its mesh interface, in NetBird's FirewallRule shape: traffic to or from
 * {@code peerIp} in {@code direction}, with {@code action}, on {@code protocol} and {@code port} (null: every port).
 * {@code policyId} names the policy the rule came from, as NetBird's FirewallRule.PolicyID does.
 */
public record FirewallRule(String peerIp, Direction direction, RuleAction action, Protocol protocol, PortRange port,
                           String policyId) {

    /** IN: traffic the remote peer sends to this peer; OUT: traffic this peer sends to the remote peer. */
    public enum Direction { IN, OUT }

    /** A total order, so that a map's rule list is canonical and two computations of it compare equal. */
    static final Comparator<FirewallRule> ORDER = Comparator
            .comparing(FirewallRule::peerIp)
            .thenComparing(FirewallRule::direction)
            .thenComparing(FirewallRule::action)
            .thenComparing(FirewallRule::protocol)
            .thenComparingInt(r -> r.port == null ? 0 : r.port.start())
            .thenComparingInt(r -> r.port == null ? 0 : r.port.end())
            .thenComparing(FirewallRule::policyId);

    public FirewallRule {
        Objects.requireNonNull(peerIp, "peerIp");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(policyId, "policyId");
    }

    /** Whether the rule covers every port of its protocol. */
    public boolean allPorts() {
        return port == null;
    }
}

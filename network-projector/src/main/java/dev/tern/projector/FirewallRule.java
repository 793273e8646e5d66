package dev.tern.projector;

import dev.tern.events.values.Ipv4;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import java.util.Comparator;
import java.util.Objects;

/**
 * One firewall rule a peer enforces on its mesh interface, in NetBird's FirewallRule shape: traffic to or from
 * {@code peerIp} in {@code direction}, with {@code action}, on {@code protocol} and {@code port} (null: every port).
 * {@code policyId} names the policy the rule came from, as NetBird's FirewallRule.PolicyID does.
 * <p>
 * An immutable value (equals and hashCode over those six fields). It is a class rather than a record only to keep
 * the address as a number beside its text: maps hold millions of rules and sorting them must not parse addresses.
 */
public final class FirewallRule {

    /** IN: traffic the remote peer sends to this peer; OUT: traffic this peer sends to the remote peer. */
    public enum Direction { IN, OUT }

    /**
     * The canonical order of a map's rules (address as a number, direction, action, protocol, port, policy): a
     * total order consistent with equals, so equal rule sets sort to equal lists and duplicates end up adjacent.
     */
    static final Comparator<FirewallRule> ORDER = FirewallRule::compare;

    private final String peerIp;
    private final int peerIpBits;
    private final Direction direction;
    private final RuleAction action;
    private final Protocol protocol;
    private final PortRange port;
    private final String policyId;

    public FirewallRule(String peerIp, Direction direction, RuleAction action, Protocol protocol, PortRange port,
                        String policyId) {
        this(Ipv4.format(Ipv4.parse(peerIp, "firewall rule peer IP")), Ipv4.parse(peerIp, "firewall rule peer IP"),
                direction, action, protocol, port, policyId);
    }

    /** For the computer, which knows both forms of the address already. */
    FirewallRule(String peerIp, int peerIpBits, Direction direction, RuleAction action, Protocol protocol,
                 PortRange port, String policyId) {
        this.peerIp = peerIp;
        this.peerIpBits = peerIpBits;
        this.direction = Objects.requireNonNull(direction, "direction");
        this.action = Objects.requireNonNull(action, "action");
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.port = port;
        this.policyId = Objects.requireNonNull(policyId, "policyId");
    }

    public String peerIp() {
        return peerIp;
    }

    public Direction direction() {
        return direction;
    }

    public RuleAction action() {
        return action;
    }

    public Protocol protocol() {
        return protocol;
    }

    /** The port or port range; null when the rule covers every port of its protocol. */
    public PortRange port() {
        return port;
    }

    public String policyId() {
        return policyId;
    }

    /** Whether the rule covers every port of its protocol. */
    public boolean allPorts() {
        return port == null;
    }

    /** Whether both rules are about the same peer, direction, action and protocol (any ports, any policy). */
    boolean sameTraffic(FirewallRule other) {
        return peerIpBits == other.peerIpBits && direction == other.direction && action == other.action
                && protocol == other.protocol;
    }

    private static int compare(FirewallRule a, FirewallRule b) {
        int c = Integer.compareUnsigned(a.peerIpBits, b.peerIpBits);
        if (c != 0) {
            return c;
        }
        c = a.direction.compareTo(b.direction);
        if (c != 0) {
            return c;
        }
        c = a.action.compareTo(b.action);
        if (c != 0) {
            return c;
        }
        c = a.protocol.compareTo(b.protocol);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.port == null ? 0 : a.port.start(), b.port == null ? 0 : b.port.start());
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.port == null ? 0 : a.port.end(), b.port == null ? 0 : b.port.end());
        if (c != 0) {
            return c;
        }
        return a.policyId.compareTo(b.policyId);
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof FirewallRule other
                && peerIpBits == other.peerIpBits
                && direction == other.direction
                && action == other.action
                && protocol == other.protocol
                && Objects.equals(port, other.port)
                && policyId.equals(other.policyId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(peerIpBits, direction, action, protocol, port, policyId);
    }

    @Override
    public String toString() {
        return "FirewallRule[" + direction + " " + action + " " + protocol.wireName() + " "
                + (port == null ? "all ports" : "port " + port) + " peer " + peerIp + " policy " + policyId + "]";
    }
}

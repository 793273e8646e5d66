package dev.tern.agent.dataplane;

import java.util.Objects;

/**
 * One inbound rule for the mesh interface, in the agent's own terms (mapped from the network map's FirewallRule):
 * traffic from {@code sourceCidr} with that protocol and destination port range gets {@code accept}ed or dropped.
 * Ports are 0/0 for "any port" (and always for icmp/all).
 */
public record FirewallRuleSpec(String sourceCidr, Protocol protocol, int portFrom, int portTo, boolean accept) {

    public enum Protocol { ALL, TCP, UDP, ICMP }

    public FirewallRuleSpec {
        Objects.requireNonNull(sourceCidr, "sourceCidr");
        Objects.requireNonNull(protocol, "protocol");
        if (portFrom < 0 || portTo > 65535 || portFrom > portTo) {
            throw new IllegalArgumentException("bad port range " + portFrom + "-" + portTo);
        }
        if ((protocol == Protocol.ALL || protocol == Protocol.ICMP) && portFrom != 0) {
            throw new IllegalArgumentException(protocol + " rules have no ports");
        }
    }

    boolean anyPort() {
        return portFrom == 0 && portTo == 0;
    }
}

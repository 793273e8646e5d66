package dev.tern.agent.dataplane;

import java.util.List;
import java.util.Objects;

/**
 * One rule for traffic a peer sends through this host into a network it routes (a map's route firewall rule):
 * from one of {@code sourceCidrs} to {@code destinationCidr}, with that protocol and destination port range, gets
 * {@code accept}ed or dropped. Ports are 0/0 for "any port" (and always for icmp/all).
 */
public record ForwardRuleSpec(List<String> sourceCidrs, String destinationCidr, FirewallRuleSpec.Protocol protocol,
                              int portFrom, int portTo, boolean accept) {

    public ForwardRuleSpec {
        sourceCidrs = List.copyOf(sourceCidrs);
        Objects.requireNonNull(destinationCidr, "destinationCidr");
        Objects.requireNonNull(protocol, "protocol");
        if (sourceCidrs.isEmpty()) {
            throw new IllegalArgumentException("a forward rule needs at least one source");
        }
        if (portFrom < 0 || portTo > 65535 || portFrom > portTo) {
            throw new IllegalArgumentException("bad port range " + portFrom + "-" + portTo);
        }
        if ((protocol == FirewallRuleSpec.Protocol.ALL || protocol == FirewallRuleSpec.Protocol.ICMP) && portFrom != 0) {
            throw new IllegalArgumentException(protocol + " rules have no ports");
        }
    }
}

package dev.tern.agent.dataplane;

import dev.tern.agent.common.AgentException;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Filtering of the mesh interface with one nftables table per interface ({@code inet tern_<iface>}): what peers
 * send this host by the map's inbound rules (and our answers on connections they opened by the same rules), what
 * they would have this host route on not at all.
 * Each new map replaces the whole table in one {@code nft -f -} transaction, so there is never a moment with
 * half a ruleset (and never one with no table at all).
 */
public final class Nftables {
    private static final Pattern CIDR = Pattern.compile("[0-9a-fA-F:.]+(/\\d{1,3})?");

    /**
     * ICMP errors about a tracked connection (path MTU, unreachable) in either direction: they carry no data, and
     * without them a peer-opened connection could stall on path MTU discovery.
     */
    private static final String RELATED_ICMP_ERRORS = "meta l4proto { icmp, ipv6-icmp } ct state related accept";

    private final Shell shell;

    public Nftables(Shell shell) {
        this.shell = shell;
    }

    public static String tableName(String iface) {
        return "tern_" + WireGuardDevice.requireValidName(iface).replace('-', '_');
    }

    /**
     * The complete script: create-if-missing, delete, recreate. Drop rules come before accept rules so a drop
     * policy wins over an overlapping accept, as NetBird's client orders them.
     *
     * <p>Only connections we opened are accepted on their conntrack state alone. A connection a peer opened is
     * checked against the rules on every packet it sends, so a map that narrows the policy cuts it at once;
     * accepting {@code established} for it, as a plain stateful filter does, would keep it alive under the old
     * policy for as long as it stays busy. Flushing its conntrack entry instead would not hold: with the kernel's
     * default loose TCP pickup the next packet we send re-creates the entry in our direction, and the peer's
     * packets then pass as replies. Our own answers on peer-opened connections are held to the same rules
     * (mirrored: their destination is the rule's source, their source port the rule's port), so a cut connection
     * carries nothing either way.
     */
    static String render(String iface, Collection<FirewallRuleSpec> rules) {
        return render(iface, rules, RoutedTraffic.NONE);
    }

    /**
     * The script with what this host forwards as a routing peer: traffic from the mesh into a routed network meets
     * the route firewall rules (drop rules first, then accept rules, each on every packet of the connection, as on
     * input), then drop; masqueraded networks get a source NAT rule for traffic from the mesh interface.
     */
    static String render(String iface, Collection<FirewallRuleSpec> rules, RoutedTraffic routed) {
        String table = tableName(iface);
        List<FirewallRuleSpec> ordered = rules.stream().distinct()
                .sorted(Comparator.comparing((FirewallRuleSpec r) -> r.accept())
                        .thenComparing(FirewallRuleSpec::sourceCidr)
                        .thenComparing(FirewallRuleSpec::protocol)
                        .thenComparingInt(FirewallRuleSpec::portFrom)
                        .thenComparingInt(FirewallRuleSpec::portTo))
                .toList();
        StringBuilder out = new StringBuilder();
        out.append("table inet ").append(table).append(" {}\n");
        out.append("delete table inet ").append(table).append('\n');
        out.append("table inet ").append(table).append(" {\n");
        out.append("  chain input {\n");
        out.append("    type filter hook input priority filter; policy accept;\n");
        out.append("    iifname \"").append(iface).append("\" jump mesh_in\n");
        out.append("  }\n");
        out.append("  chain mesh_in {\n");
        out.append("    ct state invalid drop\n");
        out.append("    ct direction reply ct state established,related accept\n");
        out.append("    ").append(RELATED_ICMP_ERRORS).append('\n');
        for (FirewallRuleSpec rule : ordered) {
            out.append("    ").append(ruleLine(rule)).append('\n');
        }
        out.append("    counter drop\n");
        out.append("  }\n");
        out.append("  chain output {\n");
        out.append("    type filter hook output priority filter; policy accept;\n");
        out.append("    oifname \"").append(iface).append("\" ct direction reply jump mesh_out_reply\n");
        out.append("  }\n");
        out.append("  chain mesh_out_reply {\n");
        out.append("    ").append(RELATED_ICMP_ERRORS).append('\n');
        for (FirewallRuleSpec rule : ordered) {
            out.append("    ").append(replyLine(rule)).append('\n');
        }
        out.append("    counter drop\n");
        out.append("  }\n");
        // Nothing that arrives on the mesh interface is routed on: without this a peer could use this host as a
        // router into its other networks (or to other peers) whenever IP forwarding is on. Replies to connections
        // opened from elsewhere may pass; what this host routes for the mesh (a map's route firewall rules) is accepted here.
        out.append("  chain forward {\n");
        out.append("    type filter hook forward priority filter; policy accept;\n");
        out.append("    iifname \"").append(iface).append("\" jump mesh_forward\n");
        out.append("  }\n");
        out.append("  chain mesh_forward {\n");
        out.append("    ct direction reply ct state established,related accept\n");
        List<ForwardRuleSpec> forward = routed.rules().stream().distinct()
                .sorted(Comparator.comparing(ForwardRuleSpec::accept)).toList();
        for (ForwardRuleSpec rule : forward) {
            forwardLine(rule).ifPresent(line -> out.append("    ").append(line).append('\n'));
        }
        out.append("    counter drop\n");
        out.append("  }\n");
        if (!routed.masqueraded().isEmpty()) {
            out.append("  chain postrouting {\n");
            out.append("    type nat hook postrouting priority srcnat; policy accept;\n");
            for (String network : routed.masqueraded().stream().distinct().sorted().toList()) {
                requireCidr(network);
                out.append("    iifname \"").append(iface).append("\" oifname != \"").append(iface).append("\" ")
                        .append(isV6(network) ? "ip6" : "ip").append(" daddr ").append(network).append(" masquerade\n");
            }
            out.append("  }\n");
        }
        out.append("}\n");
        return out.toString();
    }

    /** The rule for packets a peer sends us: its source and our destination port. */
    static String ruleLine(FirewallRuleSpec rule) {
        return line(rule, false);
    }

    /** The same rule for our answers on a connection the peer opened: to its source, from our port. */
    static String replyLine(FirewallRuleSpec rule) {
        return line(rule, true);
    }

    private static String line(FirewallRuleSpec rule, boolean reply) {
        String source = rule.sourceCidr();
        if (!CIDR.matcher(source).matches()) {
            throw new IllegalArgumentException("not an IP address or CIDR: " + source);
        }
        boolean v6 = isV6(source);
        String address = reply ? "daddr " : "saddr ";
        String port = reply ? " sport " : " dport ";
        StringBuilder line = new StringBuilder(v6 ? "ip6 " : "ip ").append(address).append(source).append(' ');
        switch (rule.protocol()) {
            case ALL -> {
            }
            case ICMP -> line.append(v6 ? "meta l4proto ipv6-icmp " : "meta l4proto icmp ");
            case TCP, UDP -> {
                String proto = rule.protocol().name().toLowerCase();
                if (rule.anyPort()) {
                    line.append("meta l4proto ").append(proto).append(' ');
                } else if (rule.portFrom() == rule.portTo()) {
                    line.append(proto).append(port).append(rule.portFrom()).append(' ');
                } else {
                    line.append(proto).append(port).append(rule.portFrom()).append('-').append(rule.portTo()).append(' ');
                }
            }
        }
        return line.append(rule.accept() ? "accept" : "drop").toString();
    }

    /**
     * A forward rule as one nftables line; sources of the other address family than the destination cannot match
     * and are left out (nothing, when none is left).
     */
    static java.util.Optional<String> forwardLine(ForwardRuleSpec rule) {
        requireCidr(rule.destinationCidr());
        boolean v6 = isV6(rule.destinationCidr());
        List<String> sources = rule.sourceCidrs().stream().filter(source -> isV6(requireCidr(source)) == v6)
                .distinct().sorted().toList();
        if (sources.isEmpty()) {
            return java.util.Optional.empty();
        }
        String family = v6 ? "ip6 " : "ip ";
        StringBuilder line = new StringBuilder(family).append("saddr { ").append(String.join(", ", sources))
                .append(" } ").append(family).append("daddr ").append(rule.destinationCidr()).append(' ');
        switch (rule.protocol()) {
            case ALL -> {
            }
            case ICMP -> line.append(v6 ? "meta l4proto ipv6-icmp " : "meta l4proto icmp ");
            case TCP, UDP -> {
                String proto = rule.protocol().name().toLowerCase();
                if (rule.portFrom() == 0 && rule.portTo() == 0) {
                    line.append("meta l4proto ").append(proto).append(' ');
                } else if (rule.portFrom() == rule.portTo()) {
                    line.append(proto).append(" dport ").append(rule.portFrom()).append(' ');
                } else {
                    line.append(proto).append(" dport ").append(rule.portFrom()).append('-').append(rule.portTo())
                            .append(' ');
                }
            }
        }
        return java.util.Optional.of(line.append(rule.accept() ? "accept" : "drop").toString());
    }

    private static String requireCidr(String cidr) {
        if (!CIDR.matcher(cidr).matches()) {
            throw new IllegalArgumentException("not an IP address or CIDR: " + cidr);
        }
        return cidr;
    }

    private static boolean isV6(String cidr) {
        return cidr.indexOf(':') >= 0;
    }

    void apply(String iface, Collection<FirewallRuleSpec> rules) {
        apply(iface, rules, RoutedTraffic.NONE);
    }

    void apply(String iface, Collection<FirewallRuleSpec> rules, RoutedTraffic routed) {
        requireNft();
        shell.check("applying nftables rules for " + iface, List.of("nft", "-f", "-"), render(iface, rules, routed));
    }

    /** Removes the table if present; used on down. */
    public void remove(String iface) {
        if (Shell.onPath("nft")) {
            shell.run(List.of("nft", "delete", "table", "inet", tableName(iface)), null);
        }
    }

    String list(String iface) {
        return shell.check("listing nftables table", List.of("nft", "list", "table", "inet", tableName(iface)), null);
    }

    public static void requireNft() {
        if (!Shell.onPath("nft")) {
            throw new AgentException(AgentException.ENVIRONMENT, "'nft' is not installed: apt-get install -y nftables");
        }
    }
}

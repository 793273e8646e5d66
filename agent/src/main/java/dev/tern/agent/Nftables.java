package dev.tern.agent;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Inbound filtering on the mesh interface with one nftables table per interface ({@code inet tern_<iface>}).
 * Each new map replaces the whole table in one {@code nft -f -} transaction, so there is never a moment with
 * half a ruleset (and never one with no table at all).
 */
final class Nftables {
    private static final Pattern CIDR = Pattern.compile("[0-9a-fA-F:.]+(/\\d{1,3})?");

    private final Shell shell;

    Nftables(Shell shell) {
        this.shell = shell;
    }

    static String tableName(String iface) {
        return "tern_" + WireGuardDevice.requireValidName(iface).replace('-', '_');
    }

    /**
     * The complete script: create-if-missing, delete, recreate. Drop rules come before accept rules so a drop
     * policy wins over an overlapping accept, as NetBird's client orders them.
     */
    static String render(String iface, Collection<FirewallRuleSpec> rules) {
        String table = tableName(iface);
        StringBuilder out = new StringBuilder();
        out.append("table inet ").append(table).append(" {}\n");
        out.append("delete table inet ").append(table).append('\n');
        out.append("table inet ").append(table).append(" {\n");
        out.append("  chain input {\n");
        out.append("    type filter hook input priority filter; policy accept;\n");
        out.append("    iifname \"").append(iface).append("\" jump mesh_in\n");
        out.append("  }\n");
        out.append("  chain mesh_in {\n");
        out.append("    ct state established,related accept\n");
        out.append("    ct state invalid drop\n");
        List<FirewallRuleSpec> ordered = rules.stream().distinct()
                .sorted(Comparator.comparing((FirewallRuleSpec r) -> r.accept())
                        .thenComparing(FirewallRuleSpec::sourceCidr)
                        .thenComparing(FirewallRuleSpec::protocol)
                        .thenComparingInt(FirewallRuleSpec::portFrom)
                        .thenComparingInt(FirewallRuleSpec::portTo))
                .toList();
        for (FirewallRuleSpec rule : ordered) {
            out.append("    ").append(ruleLine(rule)).append('\n');
        }
        out.append("    counter drop\n");
        out.append("  }\n");
        out.append("}\n");
        return out.toString();
    }

    static String ruleLine(FirewallRuleSpec rule) {
        String source = rule.sourceCidr();
        if (!CIDR.matcher(source).matches()) {
            throw new IllegalArgumentException("not an IP address or CIDR: " + source);
        }
        boolean v6 = isV6(source);
        StringBuilder line = new StringBuilder(v6 ? "ip6 saddr " : "ip saddr ").append(source).append(' ');
        switch (rule.protocol()) {
            case ALL -> {
            }
            case ICMP -> line.append(v6 ? "meta l4proto ipv6-icmp " : "meta l4proto icmp ");
            case TCP, UDP -> {
                String proto = rule.protocol().name().toLowerCase();
                if (rule.anyPort()) {
                    line.append("meta l4proto ").append(proto).append(' ');
                } else if (rule.portFrom() == rule.portTo()) {
                    line.append(proto).append(" dport ").append(rule.portFrom()).append(' ');
                } else {
                    line.append(proto).append(" dport ").append(rule.portFrom()).append('-').append(rule.portTo()).append(' ');
                }
            }
        }
        return line.append(rule.accept() ? "accept" : "drop").toString();
    }

    private static boolean isV6(String cidr) {
        return cidr.indexOf(':') >= 0;
    }

    void apply(String iface, Collection<FirewallRuleSpec> rules) {
        requireNft();
        shell.check("applying nftables rules for " + iface, List.of("nft", "-f", "-"), render(iface, rules));
    }

    /** Removes the table if present; used on down. */
    void remove(String iface) {
        if (Shell.onPath("nft")) {
            shell.run(List.of("nft", "delete", "table", "inet", tableName(iface)), null);
        }
    }

    String list(String iface) {
        return shell.check("listing nftables table", List.of("nft", "list", "table", "inet", tableName(iface)), null);
    }

    static void requireNft() {
        if (!Shell.onPath("nft")) {
            throw new AgentException(AgentException.ENVIRONMENT, "'nft' is not installed: apt-get install -y nftables");
        }
    }
}

package dev.tern.agent.dataplane;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NftablesTest {

    @Test
    void rulesetReplacesTheTableAtomicallyAndDropsByDefault() {
        String script = Nftables.render("tern0", List.of());

        assertThat(script).startsWith("table inet tern_tern0 {}\ndelete table inet tern_tern0\ntable inet tern_tern0 {\n");
        assertThat(script).contains("iifname \"tern0\" jump mesh_in");
        assertThat(script).contains("ct state established,related accept");
        // the last statement of the mesh chain is the default drop
        String chain = script.substring(script.indexOf("chain mesh_in"));
        assertThat(chain.strip().split("\n")).anySatisfy(line -> assertThat(line.strip()).isEqualTo("counter drop"));
        assertThat(chain.indexOf("counter drop")).isGreaterThan(chain.indexOf("established,related"));
    }

    private static List<String> chain(String script, String name) {
        String body = script.substring(script.indexOf("chain " + name + " {"));
        body = body.substring(body.indexOf('\n') + 1, body.indexOf("\n  }"));
        return java.util.Arrays.stream(body.split("\n")).map(String::strip).toList();
    }

    @Test
    void whatArrivesOnTheMeshInterfaceIsNeverRoutedOn() {
        String script = Nftables.render("tern0", List.of(
                new FirewallRuleSpec("0.0.0.0/0", FirewallRuleSpec.Protocol.ALL, 0, 0, true)));

        assertThat(chain(script, "forward")).containsExactly(
                "type filter hook forward priority filter; policy accept;",
                "iifname \"tern0\" jump mesh_forward");
        // Not even a rule accepting everything from everyone lets a peer use us as a router: those rules are ours.
        assertThat(chain(script, "mesh_forward")).containsExactly(
                "ct direction reply ct state established,related accept",
                "counter drop");
    }

    @Test
    void aRoutingPeerForwardsWhatItsRouteRulesAllowDropRulesFirstAndMasqueradesWhereAsked() {
        RoutedTraffic routed = new RoutedTraffic(List.of(
                new ForwardRuleSpec(List.of("100.64.0.3/32", "100.64.0.2/32"), "10.10.10.0/24",
                        FirewallRuleSpec.Protocol.TCP, 22, 22, true),
                new ForwardRuleSpec(List.of("100.64.0.2/32"), "10.10.10.0/24", FirewallRuleSpec.Protocol.UDP,
                        5000, 5010, true),
                new ForwardRuleSpec(List.of("100.64.0.9/32", "fd00::9/128"), "10.10.10.0/24",
                        FirewallRuleSpec.Protocol.ICMP, 0, 0, false),
                new ForwardRuleSpec(List.of("fd00::2/128"), "10.10.10.0/24", FirewallRuleSpec.Protocol.ALL, 0, 0,
                        true),
                new ForwardRuleSpec(List.of("0.0.0.0/0"), "0.0.0.0/0", FirewallRuleSpec.Protocol.ALL, 0, 0, true)),
                List.of("0.0.0.0/0", "10.10.10.0/24"));

        String script = Nftables.render("tern0", List.of(), routed);

        assertThat(chain(script, "mesh_forward")).containsExactly(
                "ct direction reply ct state established,related accept",
                "ip saddr { 100.64.0.9/32 } ip daddr 10.10.10.0/24 meta l4proto icmp drop",
                "ip saddr { 100.64.0.2/32, 100.64.0.3/32 } ip daddr 10.10.10.0/24 tcp dport 22 accept",
                "ip saddr { 100.64.0.2/32 } ip daddr 10.10.10.0/24 udp dport 5000-5010 accept",
                "ip saddr { 0.0.0.0/0 } ip daddr 0.0.0.0/0 accept",
                "counter drop");
        assertThat(chain(script, "postrouting")).containsExactly(
                "type nat hook postrouting priority srcnat; policy accept;",
                "iifname \"tern0\" oifname != \"tern0\" ip daddr 0.0.0.0/0 masquerade",
                "iifname \"tern0\" oifname != \"tern0\" ip daddr 10.10.10.0/24 masquerade");
    }

    @Test
    void withoutMasqueradedRoutesThereIsNoNatChain() {
        assertThat(Nftables.render("tern0", List.of(), new RoutedTraffic(List.of(new ForwardRuleSpec(
                List.of("100.64.0.2/32"), "10.10.10.0/24", FirewallRuleSpec.Protocol.ALL, 0, 0, true)), List.of())))
                .doesNotContain("nat").doesNotContain("masquerade");
    }

    @Test
    void refusesRouteAddressesThatCouldInjectNftSyntax() {
        assertThatThrownBy(() -> Nftables.render("tern0", List.of(), new RoutedTraffic(List.of(), List.of(
                "10.0.0.0/8 accept; }")))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Nftables.render("tern0", List.of(), new RoutedTraffic(List.of(new ForwardRuleSpec(
                List.of("1.2.3.4/32 } accept"), "10.10.10.0/24", FirewallRuleSpec.Protocol.ALL, 0, 0, true)),
                List.of()))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyConnectionsWeOpenedPassOnTheirStateAloneWhilePeerOpenedOnesMeetTheRulesOnEveryPacket() {
        String script = Nftables.render("tern0", List.of(
                new FirewallRuleSpec("100.64.0.2", FirewallRuleSpec.Protocol.TCP, 22, 22, true),
                new FirewallRuleSpec("100.64.0.3", FirewallRuleSpec.Protocol.UDP, 8000, 8100, false),
                new FirewallRuleSpec("fd00::4/128", FirewallRuleSpec.Protocol.ICMP, 0, 0, true)));

        assertThat(chain(script, "mesh_in")).containsExactly(
                "ct state invalid drop",
                "ct direction reply ct state established,related accept",
                "meta l4proto { icmp, ipv6-icmp } ct state related accept",
                "ip saddr 100.64.0.3 udp dport 8000-8100 drop",
                "ip saddr 100.64.0.2 tcp dport 22 accept",
                "ip6 saddr fd00::4/128 meta l4proto ipv6-icmp accept",
                "counter drop");
        assertThat(chain(script, "output")).containsExactly(
                "type filter hook output priority filter; policy accept;",
                "oifname \"tern0\" ct direction reply jump mesh_out_reply");
        // Our answers on connections a peer opened: the same rules, seen from the other end.
        assertThat(chain(script, "mesh_out_reply")).containsExactly(
                "meta l4proto { icmp, ipv6-icmp } ct state related accept",
                "ip daddr 100.64.0.3 udp sport 8000-8100 drop",
                "ip daddr 100.64.0.2 tcp sport 22 accept",
                "ip6 daddr fd00::4/128 meta l4proto ipv6-icmp accept",
                "counter drop");
    }

    @Test
    void acceptRulesBecomeSourceProtocolAndPortMatches() {
        String script = Nftables.render("tern0", List.of(
                new FirewallRuleSpec("100.64.0.2", FirewallRuleSpec.Protocol.TCP, 22, 22, true),
                new FirewallRuleSpec("100.64.0.3", FirewallRuleSpec.Protocol.UDP, 8000, 8100, true),
                new FirewallRuleSpec("100.64.0.4", FirewallRuleSpec.Protocol.ICMP, 0, 0, true),
                new FirewallRuleSpec("100.64.0.5", FirewallRuleSpec.Protocol.ALL, 0, 0, true),
                new FirewallRuleSpec("100.64.0.6", FirewallRuleSpec.Protocol.TCP, 0, 0, true)));

        assertThat(script).contains("ip saddr 100.64.0.2 tcp dport 22 accept\n");
        assertThat(script).contains("ip saddr 100.64.0.3 udp dport 8000-8100 accept\n");
        assertThat(script).contains("ip saddr 100.64.0.4 meta l4proto icmp accept\n");
        assertThat(script).contains("ip saddr 100.64.0.5 accept\n");
        assertThat(script).contains("ip saddr 100.64.0.6 meta l4proto tcp accept\n");
        assertThat(script.indexOf("100.64.0.2 tcp dport 22 accept")).isLessThan(script.indexOf("counter drop"));
    }

    @Test
    void dropRulesComeBeforeAcceptRules() {
        String script = Nftables.render("tern0", List.of(
                new FirewallRuleSpec("100.64.0.2", FirewallRuleSpec.Protocol.ALL, 0, 0, true),
                new FirewallRuleSpec("100.64.0.2", FirewallRuleSpec.Protocol.TCP, 22, 22, false)));

        assertThat(script.indexOf("tcp dport 22 drop")).isLessThan(script.indexOf("100.64.0.2 accept"));
    }

    @Test
    void ipv6SourcesUseIp6Match() {
        assertThat(Nftables.ruleLine(new FirewallRuleSpec("fd00::2/128", FirewallRuleSpec.Protocol.ICMP, 0, 0, true)))
                .isEqualTo("ip6 saddr fd00::2/128 meta l4proto ipv6-icmp accept");
    }

    @Test
    void refusesSourcesThatCouldInjectNftSyntax() {
        assertThatThrownBy(() -> Nftables.ruleLine(
                new FirewallRuleSpec("1.2.3.4 accept; flush ruleset", FirewallRuleSpec.Protocol.ALL, 0, 0, true)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tableNameIsDerivedFromTheInterface() {
        assertThat(Nftables.tableName("wt-0")).isEqualTo("tern_wt_0");
        assertThatThrownBy(() -> Nftables.tableName("bad name")).isInstanceOf(IllegalArgumentException.class);
    }
}

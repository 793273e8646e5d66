package dev.tern.agent.routing;

import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.agent.dataplane.ForwardRuleSpec;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PortInfo;
import dev.tern.protocol.management.Route;
import dev.tern.protocol.management.RouteFirewallRule;
import dev.tern.protocol.management.RuleAction;
import dev.tern.protocol.management.RuleProtocol;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** NetBird's Route and RouteFirewallRule messages in the agent's terms. */
class MapRoutesTest {
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    @Test
    void networkDomainAndIpv6RoutesAreReadAndMalformedOnesLeftOut() {
        NetworkMap map = NetworkMap.newBuilder()
                .addRoutes(Route.newBuilder().setID("r1").setNetID("site").setNetwork("10.10.10.0/24")
                        .setNetworkType(1).setPeer(KEY).setMetric(100).setMasquerade(true))
                .addRoutes(Route.newBuilder().setID("d").setNetID("web").setNetwork("192.0.2.0/32").setNetworkType(3)
                        .addDomains("App.Example.com").addDomains("*.svc.example.com").setPeer(KEY).setMetric(10)
                        .setKeepRoute(true))
                .addRoutes(Route.newBuilder().setID("v6").setNetID("lab6").setNetwork("2001:db8:10::/64")
                        .setNetworkType(2).setPeer(KEY).setMetric(5))
                .addRoutes(Route.newBuilder().setID("exit").setNetID("exit").setNetwork("0.0.0.0/0")
                        .setPeer(KEY).setMetric(1).setSkipAutoApply(true))
                .addRoutes(Route.newBuilder().setID("bad").setNetID("x").setNetwork("10.1.0.0/16").setPeer("nope"))
                .addRoutes(Route.newBuilder().setID("badv6").setNetID("x").setNetwork("2001:db8::/129").setPeer(KEY))
                .addRoutes(Route.newBuilder().setID("baddomain").setNetID("x").setNetworkType(3)
                        .addDomains("not a domain").setPeer(KEY))
                .addRoutes(Route.newBuilder().setID("nodomain").setNetID("x").setNetworkType(3).setPeer(KEY))
                .build();

        MapRoutes routes = MapRoutes.from(map);

        assertThat(routes.routes()).containsExactly(
                new RouteSpec("r1", "site", "10.10.10.0/24", KEY, 100, true),
                new RouteSpec("d", "web", "192.0.2.0/32", KEY, 10, false,
                        List.of("app.example.com", "*.svc.example.com"), true, false),
                new RouteSpec("v6", "lab6", "2001:db8:10::/64", KEY, 5, false),
                new RouteSpec("exit", "exit", "0.0.0.0/0", KEY, 1, false, List.of(), false, true));
        assertThat(routes.routes().get(1).coversDomain("APP.example.com.")).isTrue();
        assertThat(routes.routes().get(1).coversDomain("api.svc.example.com")).isTrue();
        assertThat(routes.routes().get(1).coversDomain("svc.example.com")).as("a wildcard covers only below").isFalse();
        assertThat(routes.routes().get(1).coversDomain("other.example.com")).isFalse();
        assertThat(routes.routes().get(2).isIpv6()).isTrue();
        assertThat(routes.meshIpv6()).isFalse();
    }

    @Test
    void aMapThatGivesUsAnIpv6AddressMakesTheMeshIpv6() {
        byte[] v6 = new byte[17];
        v6[0] = (byte) 0xfd;
        v6[16] = 64;
        NetworkMap map = NetworkMap.newBuilder().setPeerConfig(dev.tern.protocol.management.PeerConfig.newBuilder()
                .setAddress("100.64.0.1/16").setAddressV6(com.google.protobuf.ByteString.copyFrom(v6))).build();

        assertThat(MapRoutes.from(map).meshIpv6()).isTrue();
    }

    @Test
    void aDomainRoutesDynamicRulesBecomeRulesTowardsEachResolvedAddress() {
        NetworkMap map = NetworkMap.newBuilder()
                .addRoutesFirewallRules(RouteFirewallRule.newBuilder().addSourceRanges("100.64.0.2/32")
                        .setDestination("192.0.2.0/32").setIsDynamic(true).addDomains("app.example.com")
                        .setProtocol(RuleProtocol.TCP).setAction(RuleAction.ACCEPT)
                        .setPortInfo(PortInfo.newBuilder().setPort(443)))
                .addRoutesFirewallRules(RouteFirewallRule.newBuilder().addSourceRanges("100.64.0.2/32")
                        .setIsDynamic(true).addDomains("bad domain").setProtocol(RuleProtocol.ALL))
                .build();

        MapRoutes routes = MapRoutes.from(map);

        assertThat(routes.forwardRules()).as("no rule towards the placeholder network").isEmpty();
        assertThat(routes.domainForwardRules()).hasSize(1);
        DomainForwardRule rule = routes.domainForwardRules().get(0);
        assertThat(rule.covers("app.example.com")).isTrue();
        assertThat(rule.forAddress("10.10.10.5")).isEqualTo(new ForwardRuleSpec(List.of("100.64.0.2/32"),
                "10.10.10.5/32", FirewallRuleSpec.Protocol.TCP, 443, 443, true));
    }

    @Test
    void routeFirewallRulesBecomeForwardRules() {
        NetworkMap map = NetworkMap.newBuilder()
                .addRoutesFirewallRules(RouteFirewallRule.newBuilder().addSourceRanges("100.64.0.2/32")
                        .addSourceRanges("100.64.0.3/32").setDestination("10.10.10.0/24")
                        .setProtocol(RuleProtocol.TCP).setAction(RuleAction.ACCEPT)
                        .setPortInfo(PortInfo.newBuilder().setRange(PortInfo.Range.newBuilder().setStart(80).setEnd(90))))
                .addRoutesFirewallRules(RouteFirewallRule.newBuilder().addSourceRanges("0.0.0.0/0")
                        .setDestination("10.10.10.0/24").setProtocol(RuleProtocol.ALL).setAction(RuleAction.DROP))
                .addRoutesFirewallRules(RouteFirewallRule.newBuilder().addSourceRanges("0.0.0.0/0")
                        .setDestination("10.10.10.0/24").setProtocol(RuleProtocol.CUSTOM).setCustomProtocol(47)
                        .setAction(RuleAction.ACCEPT))
                .addRoutesFirewallRules(RouteFirewallRule.newBuilder().addSourceRanges("0.0.0.0/0")
                        .setDestination("").setIsDynamic(true).addDomains("example.com")
                        .setProtocol(RuleProtocol.ALL).setAction(RuleAction.ACCEPT))
                .addRoutesFirewallRules(RouteFirewallRule.newBuilder().addSourceRanges("fd00::2/128")
                        .setDestination("2001:db8:10::/64").setProtocol(RuleProtocol.ALL).setAction(RuleAction.ACCEPT))
                .build();

        assertThat(MapRoutes.from(map).forwardRules()).containsExactly(
                new ForwardRuleSpec(List.of("100.64.0.2/32", "100.64.0.3/32"), "10.10.10.0/24",
                        FirewallRuleSpec.Protocol.TCP, 80, 90, true),
                new ForwardRuleSpec(List.of("0.0.0.0/0"), "10.10.10.0/24", FirewallRuleSpec.Protocol.ALL, 0, 0,
                        false),
                new ForwardRuleSpec(List.of("fd00::2/128"), "2001:db8:10::/64", FirewallRuleSpec.Protocol.ALL, 0, 0,
                        true));
    }
}

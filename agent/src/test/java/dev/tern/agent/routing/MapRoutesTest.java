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
    void ipv4RoutesAreReadAndDomainRoutesAndBadKeysLeftOut() {
        NetworkMap map = NetworkMap.newBuilder()
                .addRoutes(Route.newBuilder().setID("r1").setNetID("site").setNetwork("10.10.10.0/24")
                        .setNetworkType(1).setPeer(KEY).setMetric(100).setMasquerade(true))
                .addRoutes(Route.newBuilder().setID("d").setNetID("web").setNetwork("invalid/0").setNetworkType(3)
                        .addDomains("example.com").setPeer(KEY))
                .addRoutes(Route.newBuilder().setID("bad").setNetID("x").setNetwork("10.1.0.0/16").setPeer("nope"))
                .build();

        assertThat(MapRoutes.from(map).routes()).containsExactly(
                new RouteSpec("r1", "site", "10.10.10.0/24", KEY, 100, true));
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
                .build();

        assertThat(MapRoutes.from(map).forwardRules()).containsExactly(
                new ForwardRuleSpec(List.of("100.64.0.2/32", "100.64.0.3/32"), "10.10.10.0/24",
                        FirewallRuleSpec.Protocol.TCP, 80, 90, true),
                new ForwardRuleSpec(List.of("0.0.0.0/0"), "10.10.10.0/24", FirewallRuleSpec.Protocol.ALL, 0, 0,
                        false));
    }
}

package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.PeerConfig;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.projector.PeerRoute;
import dev.tern.projector.RouteFirewallRule;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.Route;
import dev.tern.protocol.management.RuleProtocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteMessagesTest {
    private static final WireGuardKey ROUTER = WireGuardKey.of(NaclBox.generateKeyPair().publicKey());
    private final PeerConfig own = new PeerConfig("p-own", "router", ROUTER, new MeshIp("100.64.0.1"),
            "100.64.0.1/16", "router.corp.example", false);

    @Test
    void routesCarryNetBirdsFieldsWithTheRoutingPeersKey() {
        PeerRoute lab = new PeerRoute("r1:p-own", "lab", "10.10.10.0/24", RouteDefinition.NETWORK_TYPE_IPV4,
                List.of(), ROUTER, 100, true, false, false);
        PeerRoute corp = new PeerRoute("r2", "corp", "192.0.2.0/32", RouteDefinition.NETWORK_TYPE_DOMAIN,
                List.of("corp.example"), ROUTER, 9, false, true, false);
        RouteFirewallRule ssh = new RouteFirewallRule("r1:p-own", "pol1", List.of("100.64.0.2/32"), RuleAction.ACCEPT,
                "10.10.10.0/24", Protocol.TCP, PortRange.single(22), false, List.of());
        NetworkMap map = NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 3, own, List.of(),
                List.of(), List.of(), false, List.of(lab, corp), List.of(ssh)));

        assertThat(map.getRoutesList()).hasSize(2);
        Route first = map.getRoutes(0);
        assertThat(first.getID()).isEqualTo("r1:p-own");
        assertThat(first.getNetID()).isEqualTo("lab");
        assertThat(first.getNetwork()).isEqualTo("10.10.10.0/24");
        assertThat(first.getNetworkType()).isEqualTo(1);
        assertThat(first.getPeer()).isEqualTo(ROUTER.base64());
        assertThat(first.getMetric()).isEqualTo(100);
        assertThat(first.getMasquerade()).isTrue();
        Route second = map.getRoutes(1);
        assertThat(second.getNetworkType()).isEqualTo(3);
        assertThat(second.getDomainsList()).containsExactly("corp.example");
        assertThat(second.getKeepRoute()).isTrue();

        assertThat(map.getRoutesFirewallRulesIsEmpty()).isFalse();
        var rule = map.getRoutesFirewallRules(0);
        assertThat(rule.getSourceRangesList()).containsExactly("100.64.0.2/32");
        assertThat(rule.getDestination()).isEqualTo("10.10.10.0/24");
        assertThat(rule.getProtocol()).isEqualTo(RuleProtocol.TCP);
        assertThat(rule.getPortInfo().getPort()).isEqualTo(22);
        assertThat(rule.getRouteID()).isEqualTo("r1:p-own");
        assertThat(rule.getPolicyID().toString(StandardCharsets.UTF_8)).isEqualTo("pol1");
    }

    @Test
    void aMapWithoutRouteFirewallRulesSaysSo() {
        NetworkMap map = NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 3, own, List.of(),
                List.of(), List.of(), false));
        assertThat(map.getRoutesList()).isEmpty();
        assertThat(map.getRoutesFirewallRulesIsEmpty()).isTrue();
    }
}

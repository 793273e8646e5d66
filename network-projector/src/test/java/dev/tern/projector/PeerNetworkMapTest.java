package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PolicyCreated;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.projector.FirewallRule.Direction;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerNetworkMapTest {

    @Test
    void mapsFromTheProjectorCannotBeModified() {
        NetworkMapProjector projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(group("dev"));
        projector.apply(peer("a", 1));
        projector.apply(peer("b", 2));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "a"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "b"));
        projector.apply(new PolicyCreated(ACCOUNT, "p", policy("dev", accept("r", true, List.of("dev"), List.of("dev")))));
        PeerNetworkMap map = projector.currentMap(ACCOUNT, "a").orElseThrow();

        assertThat(map.remotePeers()).hasSize(1);
        assertThatThrownBy(() -> map.remotePeers().add(map.remotePeers().get(0)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.firewallRules().set(0, map.firewallRules().get(1)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> map.firewallRules().get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> map.dnsRecords().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void mapsBuiltFromCallerListsCopyThem() {
        MeshIp ip = ip(1);
        PeerConfig config = new PeerConfig("a", "a", key(1), ip, ip.address() + "/16", "a.tern.internal", false);
        List<RemotePeer> remotes = new ArrayList<>();
        remotes.add(new RemotePeer("b", "b", key(2), ip(2), "b.tern.internal", false));
        PeerNetworkMap map = new PeerNetworkMap(ACCOUNT, "a", 1, config, remotes, List.of(), List.of(), false);
        remotes.clear();
        assertThat(map.remotePeers()).hasSize(1);
        assertThat(map).isEqualTo(new PeerNetworkMap(ACCOUNT, "a", 1, config,
                List.of(new RemotePeer("b", "b", key(2), ip(2), "b.tern.internal", false)), List.of(), List.of(), false));
        assertThat(map).isNotEqualTo(map.withSerial(2));
        assertThat(map.sameContentAs(map.withSerial(2))).isTrue();
    }

    @Test
    void offlinePeersAndTheOwnLoginStateArePartOfTheContent() {
        MeshIp ip = ip(1);
        PeerConfig config = new PeerConfig("a", "a", key(1), ip, ip.address() + "/16", "a.tern.internal", false);
        RemotePeer b = new RemotePeer("b", "b", key(2), ip(2), "b.tern.internal", false);
        PeerNetworkMap online = new PeerNetworkMap(ACCOUNT, "a", 1, config, List.of(b), List.of(), List.of(), false);
        PeerNetworkMap offline = new PeerNetworkMap(ACCOUNT, "a", 1, config, List.of(), List.of(b), List.of(), false);
        PeerNetworkMap expired = new PeerNetworkMap(ACCOUNT, "a", 1, config, List.of(b), List.of(), List.of(), true);

        assertThat(online.sameContentAs(offline)).isFalse();
        assertThat(online.sameContentAs(expired)).isFalse();
        assertThat(offline.canSee("b")).isFalse();
        assertThat(offline.dnsRecords()).isEqualTo(online.dnsRecords())
                .containsEntry("b.tern.internal", ip(2).address());
    }

    @Test
    void firewallRulesAreValuesOrderedByAddressNumerically() {
        FirewallRule low = new FirewallRule("100.64.0.9", Direction.IN, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(22), "p");
        FirewallRule high = new FirewallRule("100.64.0.10", Direction.IN, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(22), "p");
        assertThat(FirewallRule.ORDER.compare(low, high)).isNegative();
        assertThat(new FirewallRule("100.64.0.9", Direction.IN, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(22), "p"))
                .isEqualTo(low).hasSameHashCodeAs(low);
        assertThat(low).isNotEqualTo(new FirewallRule("100.64.0.9", Direction.OUT, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(22), "p"));
        assertThat(low.allPorts()).isFalse();
        assertThatThrownBy(() -> new FirewallRule("not-an-ip", Direction.IN, RuleAction.ACCEPT, Protocol.ALL, null, "p"))
                .isInstanceOf(dev.tern.events.values.InvalidValueException.class);
    }
}

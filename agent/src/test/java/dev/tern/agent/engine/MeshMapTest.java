package dev.tern.agent.engine;

import com.google.protobuf.ByteString;
import dev.tern.agent.TestKeys;
import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.protocol.management.FirewallRule;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PeerConfig;
import dev.tern.protocol.management.PortInfo;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.RuleAction;
import dev.tern.protocol.management.RuleDirection;
import dev.tern.protocol.management.RuleProtocol;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A network map in the agent's terms: its peers, address and names, and the inbound rules the firewall gets. */
class MeshMapTest {

    @SuppressWarnings("deprecation")
    private static FirewallRule rule(String peerIp, RuleDirection direction, RuleProtocol protocol, RuleAction action) {
        return FirewallRule.newBuilder().setPeerIP(peerIp).setDirection(direction).setProtocol(protocol).setAction(action).build();
    }

    @Test
    void inboundRulesFromTheNetworkMapKeepOnlyInDirection() {
        FirewallRule in = rule("100.64.0.2", RuleDirection.IN, RuleProtocol.TCP, RuleAction.ACCEPT).toBuilder()
                .setPortInfo(PortInfo.newBuilder().setPort(22)).build();
        FirewallRule out = rule("100.64.0.2", RuleDirection.OUT, RuleProtocol.TCP, RuleAction.ACCEPT);

        assertThat(MeshMap.inbound(in)).containsExactly(
                new FirewallRuleSpec("100.64.0.2", FirewallRuleSpec.Protocol.TCP, 22, 22, true));
        assertThat(MeshMap.inbound(out)).isEmpty();
    }

    @Test
    void portRangesLegacyPortStringsAndDropActionsTranslate() {
        FirewallRule range = rule("100.64.0.2", RuleDirection.IN, RuleProtocol.UDP, RuleAction.DROP).toBuilder()
                .setPortInfo(PortInfo.newBuilder().setRange(PortInfo.Range.newBuilder().setStart(1000).setEnd(2000))).build();
        FirewallRule legacy = rule("100.64.0.3", RuleDirection.IN, RuleProtocol.TCP, RuleAction.ACCEPT).toBuilder()
                .setPort("443").build();
        FirewallRule icmp = rule("100.64.0.4", RuleDirection.IN, RuleProtocol.ICMP, RuleAction.ACCEPT).toBuilder()
                .setPort("80").build();

        assertThat(MeshMap.inbound(range)).containsExactly(
                new FirewallRuleSpec("100.64.0.2", FirewallRuleSpec.Protocol.UDP, 1000, 2000, false));
        assertThat(MeshMap.inbound(legacy)).containsExactly(
                new FirewallRuleSpec("100.64.0.3", FirewallRuleSpec.Protocol.TCP, 443, 443, true));
        assertThat(MeshMap.inbound(icmp)).containsExactly(
                new FirewallRuleSpec("100.64.0.4", FirewallRuleSpec.Protocol.ICMP, 0, 0, true));
    }

    @Test
    void sourcePrefixesWinOverPeerIpAndAnyAddressMeansAll() {
        FirewallRule prefixes = rule("100.64.0.9", RuleDirection.IN, RuleProtocol.ALL, RuleAction.ACCEPT).toBuilder()
                .addSourcePrefixes(ByteString.copyFrom(new byte[]{100, 64, 0, 2, 32}))
                .addSourcePrefixes(ByteString.copyFrom(new byte[]{10, 1, 0, 0, 16})).build();
        FirewallRule any = rule("0.0.0.0", RuleDirection.IN, RuleProtocol.ALL, RuleAction.ACCEPT);

        assertThat(MeshMap.inbound(prefixes)).extracting(FirewallRuleSpec::sourceCidr)
                .containsExactly("100.64.0.2/32", "10.1.0.0/16");
        assertThat(MeshMap.inbound(any)).extracting(FirewallRuleSpec::sourceCidr).containsExactly("0.0.0.0/0");
    }

    @Test
    void customProtocolsAreNotTranslatedSoDefaultDropApplies() {
        assertThat(MeshMap.inbound(rule("100.64.0.2", RuleDirection.IN, RuleProtocol.CUSTOM, RuleAction.ACCEPT))).isEmpty();
    }

    @Test
    void malformedPeersAndRulesAreSkippedWithoutLosingTheRest() {
        String good = TestKeys.publicKey();
        NetworkMap map = NetworkMap.newBuilder().setSerial(1)
                .addRemotePeers(RemotePeerConfig.newBuilder().setWgPubKey("not-a-key").addAllowedIps("100.64.0.5/32"))
                .addRemotePeers(RemotePeerConfig.newBuilder().setWgPubKey(good).addAllowedIps("100.64.0.2/32")
                        .addAllowedIps("100.64.0.2/99").addAllowedIps("evil\nallowed_ip=0.0.0.0/0"))
                .addFirewallRules(rule("100.64.0.2; flush ruleset", RuleDirection.IN, RuleProtocol.ALL, RuleAction.ACCEPT))
                .addFirewallRules(rule("100.64.0.2", RuleDirection.IN, RuleProtocol.TCP, RuleAction.ACCEPT).toBuilder()
                        .setPort("abc").build())
                .addFirewallRules(rule("100.64.0.2", RuleDirection.IN, RuleProtocol.ICMP, RuleAction.ACCEPT))
                .build();

        MeshMap mesh = MeshMap.from(map);

        assertThat(mesh.peers()).singleElement().satisfies(peer -> {
            assertThat(peer.publicKey()).isEqualTo(good);
            assertThat(peer.allowedIps()).containsExactly("100.64.0.2/32");
        });
        assertThat(mesh.inboundRules()).containsExactly(
                new FirewallRuleSpec("100.64.0.2", FirewallRuleSpec.Protocol.ICMP, 0, 0, true));
    }

    @Test
    void meshMapCarriesPeersAddressAndNames() {
        NetworkMap map = NetworkMap.newBuilder().setSerial(7)
                .setPeerConfig(PeerConfig.newBuilder().setAddress("100.64.0.1/16").setFqdn("a.tern.internal"))
                .addRemotePeers(RemotePeerConfig.newBuilder().setWgPubKey(TestKeys.publicKey()).addAllowedIps("100.64.0.2/32")
                        .setFqdn("b.tern.internal"))
                .addFirewallRules(rule("100.64.0.2", RuleDirection.IN, RuleProtocol.ALL, RuleAction.ACCEPT))
                .build();

        MeshMap mesh = MeshMap.from(map);

        assertThat(mesh.serial()).isEqualTo(7);
        assertThat(mesh.address()).isEqualTo("100.64.0.1/16");
        assertThat(mesh.peers()).singleElement().satisfies(peer -> {
            assertThat(peer.name()).isEqualTo("b");
            assertThat(peer.meshIp()).isEqualTo("100.64.0.2");
        });
        assertThat(mesh.inboundRules()).hasSize(1);
    }

    @Test
    void anIpv6MeshAddressIsReadFromItsSeventeenBytes() {
        byte[] v6 = new byte[17];
        v6[0] = (byte) 0xfd;
        v6[15] = 7;
        v6[16] = 64;
        NetworkMap withV6 = NetworkMap.newBuilder().setPeerConfig(PeerConfig.newBuilder().setAddress("100.64.0.7/16")
                .setAddressV6(ByteString.copyFrom(v6))).build();

        MeshMap map = MeshMap.from(withV6);
        assertThat(map.addressV6()).isEqualTo("fd00:0:0:0:0:0:0:7/64");
        assertThat(map.routes().meshIpv6()).isTrue();
        assertThat(MeshMap.from(NetworkMap.newBuilder().setPeerConfig(PeerConfig.newBuilder()
                .setAddress("100.64.0.7/16")).build()).addressV6()).isNull();
    }
}

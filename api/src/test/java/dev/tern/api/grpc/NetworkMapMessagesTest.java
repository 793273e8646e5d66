package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.FirewallRule;
import dev.tern.projector.FirewallRule.Direction;
import dev.tern.projector.PeerConfig;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.projector.RemotePeer;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PortInfo;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.RuleDirection;
import dev.tern.protocol.management.RuleProtocol;
import dev.tern.protocol.management.SimpleRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The projector's map in NetBird's wire shape, field by field. */
class NetworkMapMessagesTest {
    private static final WireGuardKey OWN_KEY = WireGuardKey.of(NaclBox.generateKeyPair().publicKey());
    private static final WireGuardKey WEB_KEY = WireGuardKey.of(NaclBox.generateKeyPair().publicKey());
    private static final WireGuardKey DB_KEY = WireGuardKey.of(NaclBox.generateKeyPair().publicKey());

    private final PeerConfig own = new PeerConfig("p-own", "laptop", OWN_KEY, new MeshIp("100.64.0.1"),
            "100.64.0.1/16", "laptop.corp.example", true);
    private final RemotePeer web = new RemotePeer("p-web", "web", WEB_KEY, new MeshIp("100.64.0.2"),
            "web.corp.example", false);
    private final RemotePeer db = new RemotePeer("p-db", "db", DB_KEY, new MeshIp("100.64.0.3"),
            "db.corp.example", true);

    @Test
    void peersConfigAndRemotePeersCarryAddressesKeysAndNames() {
        NetworkMap map = NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 42, own, List.of(web, db),
                List.of(), List.of(), false));

        assertThat(map.getSerial()).isEqualTo(42);
        assertThat(map.getPeerConfig().getAddress()).isEqualTo("100.64.0.1/16");
        assertThat(map.getPeerConfig().getFqdn()).isEqualTo("laptop.corp.example");
        assertThat(map.getPeerConfig().getSshConfig().getSshEnabled()).isTrue();
        assertThat(map.getRemotePeersIsEmpty()).isFalse();
        assertThat(map.getRemotePeersList()).extracting(RemotePeerConfig::getWgPubKey)
                .containsExactly(WEB_KEY.base64(), DB_KEY.base64());
        RemotePeerConfig dbPeer = map.getRemotePeers(1);
        assertThat(dbPeer.getAllowedIpsList()).containsExactly("100.64.0.3/32");
        assertThat(dbPeer.getFqdn()).isEqualTo("db.corp.example");
        assertThat(dbPeer.getSshConfig().getSshEnabled()).isTrue();
        assertThat(map.getRemotePeers(0).getSshConfig().getSshEnabled()).isFalse();
        assertThat(map.getOfflinePeersList()).isEmpty();
        assertThat(map.getFirewallRulesIsEmpty()).isTrue();
    }

    @Test
    void domainRoutesAreResolvedByTheRoutingPeersAsInNetBirdsDefaultAccountSettings() {
        NetworkMap map = NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 1, own, List.of(web),
                List.of(), List.of(), false));

        assertThat(map.getPeerConfig().getRoutingPeerDnsResolutionEnabled()).isTrue();
    }

    @Test
    void offlinePeersHaveTheShapeOfRemotePeersAndKeepTheirDnsRecords() {
        NetworkMap map = NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 5, own, List.of(web),
                List.of(db), List.of(), false));

        assertThat(map.getRemotePeersList()).extracting(RemotePeerConfig::getWgPubKey)
                .containsExactly(WEB_KEY.base64());
        assertThat(map.getOfflinePeersList()).containsExactly(NetworkMapMessages.remotePeer(db));
        RemotePeerConfig offline = map.getOfflinePeers(0);
        assertThat(offline.getWgPubKey()).isEqualTo(DB_KEY.base64());
        assertThat(offline.getAllowedIpsList()).containsExactly("100.64.0.3/32");
        assertThat(offline.getFqdn()).isEqualTo("db.corp.example");
        assertThat(offline.getSshConfig().getSshEnabled()).isTrue();
        assertThat(map.getDNSConfig().getCustomZones(0).getRecordsList()).extracting(SimpleRecord::getName)
                .containsExactlyInAnyOrder("laptop.corp.example.", "web.corp.example.", "db.corp.example.");

        NetworkMap onlyOffline = NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 6, own, List.of(),
                List.of(web, db), List.of(), false));
        assertThat(onlyOffline.getRemotePeersIsEmpty()).as("no peer to configure").isTrue();
        assertThat(onlyOffline.getOfflinePeersList()).extracting(RemotePeerConfig::getFqdn)
                .containsExactly("web.corp.example", "db.corp.example");
    }

    @Test
    void anEmptyMapSaysSoExplicitly() {
        NetworkMap map = NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 1, own, List.of(), List.of(),
                List.of(), false));
        assertThat(map.getRemotePeersIsEmpty()).isTrue();
        assertThat(map.getFirewallRulesIsEmpty()).isTrue();
        assertThat(map.getRemotePeersList()).isEmpty();
    }

    @Test
    void firewallRulesKeepDirectionActionProtocolAndPorts() {
        FirewallRule ssh = new FirewallRule("100.64.0.2", Direction.IN, RuleAction.ACCEPT, Protocol.TCP,
                PortRange.single(22), "pol-ssh");
        FirewallRule range = new FirewallRule("100.64.0.3", Direction.OUT, RuleAction.DROP, Protocol.UDP,
                new PortRange(8000, 8100), "pol-range");
        FirewallRule any = new FirewallRule("100.64.0.3", Direction.IN, RuleAction.ACCEPT, Protocol.ICMP, null,
                "pol-icmp");
        FirewallRule all = new FirewallRule("100.64.0.2", Direction.OUT, RuleAction.ACCEPT, Protocol.ALL, null,
                "pol-all");

        NetworkMap map = NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 7, own, List.of(web, db),
                List.of(), List.of(ssh, range, any, all), false));

        assertThat(map.getFirewallRulesIsEmpty()).isFalse();
        var rules = map.getFirewallRulesList();
        assertThat(rules).hasSize(4);

        var sshRule = rules.get(0);
        assertThat(sshRule.getPeerIP()).isEqualTo("100.64.0.2");
        assertThat(sshRule.getSourcePrefixesList()).containsExactly(
                com.google.protobuf.ByteString.copyFrom(new byte[]{100, 64, 0, 2, 32}));
        assertThat(sshRule.getDirection()).isEqualTo(RuleDirection.IN);
        assertThat(sshRule.getAction()).isEqualTo(dev.tern.protocol.management.RuleAction.ACCEPT);
        assertThat(sshRule.getProtocol()).isEqualTo(RuleProtocol.TCP);
        assertThat(sshRule.getPort()).isEqualTo("22");
        assertThat(sshRule.getPortInfo().getPortSelectionCase()).isEqualTo(PortInfo.PortSelectionCase.PORT);
        assertThat(sshRule.getPortInfo().getPort()).isEqualTo(22);
        assertThat(sshRule.getPolicyID().toString(StandardCharsets.UTF_8)).isEqualTo("pol-ssh");

        var rangeRule = rules.get(1);
        assertThat(rangeRule.getDirection()).isEqualTo(RuleDirection.OUT);
        assertThat(rangeRule.getAction()).isEqualTo(dev.tern.protocol.management.RuleAction.DROP);
        assertThat(rangeRule.getProtocol()).isEqualTo(RuleProtocol.UDP);
        assertThat(rangeRule.getPort()).isEmpty();
        assertThat(rangeRule.getPortInfo().getRange().getStart()).isEqualTo(8000);
        assertThat(rangeRule.getPortInfo().getRange().getEnd()).isEqualTo(8100);

        var anyPort = rules.get(2);
        assertThat(anyPort.getProtocol()).isEqualTo(RuleProtocol.ICMP);
        assertThat(anyPort.getPort()).isEmpty();
        assertThat(anyPort.hasPortInfo()).isFalse();
        assertThat(rules.get(3).getProtocol()).isEqualTo(RuleProtocol.ALL);
    }

    @Test
    void hostPrefixesAreFourAddressBytesAndTheLength() {
        assertThat(NetworkMapMessages.hostPrefix("200.1.2.250").toByteArray())
                .containsExactly((byte) 200, 1, 2, (byte) 250, 32);
    }

    @Test
    void dnsServesTheAccountZoneWithARecordsOfThePeerAndWhatItSees() {
        NetworkMap map = NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 3, own, List.of(web),
                List.of(), List.of(), false));

        assertThat(map.getDNSConfig().getServiceEnable()).isTrue();
        assertThat(map.getDNSConfig().getCustomZonesList()).hasSize(1);
        CustomZone zone = map.getDNSConfig().getCustomZones(0);
        assertThat(zone.getDomain()).isEqualTo("corp.example.");
        assertThat(zone.getRecordsList()).extracting(SimpleRecord::getName, SimpleRecord::getRData)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("laptop.corp.example.", "100.64.0.1"),
                        org.assertj.core.groups.Tuple.tuple("web.corp.example.", "100.64.0.2"));
        assertThat(zone.getRecordsList()).allSatisfy(r -> {
            assertThat(r.getType()).isEqualTo(1);
            assertThat(r.getClass_()).isEqualTo("IN");
            assertThat(r.getTTL()).isPositive();
        });
    }
}

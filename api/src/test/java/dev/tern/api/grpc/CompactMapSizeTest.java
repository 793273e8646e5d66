package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountCreated;
import dev.tern.events.GroupCreated;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PolicyCreated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.protocol.management.NetworkMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The map a policy with every port written singly makes, as the agents receive it. Such a policy (accepted before
 * the account capped ports per rule, so history may hold it) made a 23 MB map that the agent's 4 MiB message limit
 * refused, locking its peer out with an old map. Its ports now reach the map as one range per peer.
 */
class CompactMapSizeTest {
    private static final String ACCOUNT = "acc-compact";
    private static final Cidr NETWORK = Cidr.parse("100.64.0.0/16");
    private static final int PEERS = 20;

    @Test
    void aRuleWithEveryPortWrittenSinglyMakesAMapOfOneRangePerPeer() {
        NetworkMapProjector projector = new NetworkMapProjector();
        projector.apply(new AccountCreated(ACCOUNT, NETWORK, "tern.internal", Instant.EPOCH));
        projector.apply(new GroupCreated(ACCOUNT, "all", "All", GroupIssuer.API));
        projector.apply(new GroupCreated(ACCOUNT, "web", "web", GroupIssuer.API));
        for (int n = 1; n <= PEERS; n++) {
            byte[] key = new byte[32];
            key[0] = (byte) n;
            key[31] = 9;
            projector.apply(new PeerRegistered(ACCOUNT, "p" + n, WireGuardKey.of(key),
                    MeshIp.of(NETWORK.networkBits() + n), "peer-" + n, "peer-" + n, PeerSystemMeta.ofHostname("h" + n),
                    "key", null, false, false, Instant.EPOCH));
            projector.apply(new PeerAddedToGroup(ACCOUNT, "web", "p" + n));
        }
        List<PortRange> everyPort = new ArrayList<>();
        for (int port = 1; port <= 65_535; port++) {
            everyPort.add(PortRange.single(port));
        }
        projector.apply(new PolicyCreated(ACCOUNT, "pol", new PolicyDefinition("every-port", "", true,
                List.of(new PolicyRule("r1", "every-port", "", true, RuleAction.ACCEPT, true, Protocol.TCP, everyPort,
                        List.of(), List.of("web"), List.of("web"))), List.of())));

        PeerNetworkMap map = projector.currentMap(ACCOUNT, "p1").orElseThrow();
        NetworkMap wire = NetworkMapMessages.networkMap(map);

        // in and out towards each of the 19 others, each 1-65535
        assertThat(wire.getFirewallRulesList()).hasSize(2 * (PEERS - 1));
        assertThat(wire.getFirewallRulesList()).allSatisfy(rule -> {
            assertThat(rule.getPortInfo().getRange().getStart()).isEqualTo(1);
            assertThat(rule.getPortInfo().getRange().getEnd()).isEqualTo(65_535);
        });
        // was 2 x 19 x 65,535 rules: about 130 MB
        assertThat(wire.getSerializedSize()).isLessThan(16 * 1024);
    }
}

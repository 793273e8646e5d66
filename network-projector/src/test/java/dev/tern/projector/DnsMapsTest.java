package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.DnsRecordCreated;
import dev.tern.events.DnsSettingsUpdated;
import dev.tern.events.DnsZoneCreated;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.NameServerGroupUpdated;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsRecordType;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.NameServer;
import dev.tern.events.values.NameServerGroupDefinition;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The DNS part of the maps, as NetBird's GetPeerNetworkMap builds it: nameserver groups and custom zones reach the
 * peers of their distribution groups, a disabled management group takes every DNS setting away, and a change
 * recomputes only the maps of the groups it names.
 */
class DnsMapsTest {
    private final NetworkMapProjector projector = new NetworkMapProjector();

    @BeforeEach
    void threePeersAndAGroup() {
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(group("dev"));
        projector.apply(peer("a", 1));
        projector.apply(peer("b", 2));
        projector.apply(peer("c", 3));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "a"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "b"));
    }

    private PeerNetworkMap map(String peerId) {
        return projector.currentMaps(ACCOUNT).get(peerId);
    }

    private static List<String> peers(List<PeerNetworkMap> maps) {
        return maps.stream().map(PeerNetworkMap::peerId).sorted().toList();
    }

    private static NameServerGroupDefinition corp(boolean enabled, String... groups) {
        return new NameServerGroupDefinition("corp", "", List.of(new NameServer("10.9.0.53", "udp", 5353)), enabled,
                List.of(groups), false, List.of("corp.example"), true);
    }

    @Test
    void aNameServerGroupReachesThePeersOfItsGroupsOnly() {
        List<PeerNetworkMap> changed = projector.apply(new NameServerGroupCreated(ACCOUNT, "ns1", corp(true, "dev")));

        assertThat(peers(changed)).containsExactly("a", "b");
        assertThat(map("a").dns().nameServerGroups()).containsExactly(new PeerDns.NameServerGroup(
                List.of(new NameServer("10.9.0.53", "udp", 5353)), false, List.of("corp.example"), true));
        assertThat(map("c").dns()).isEqualTo(PeerDns.DEFAULT);
        // peers with the same configuration share it
        assertThat(map("a").dns()).isSameAs(map("b").dns());

        assertThat(peers(projector.apply(new NameServerGroupUpdated(ACCOUNT, "ns1", corp(false, "dev")))))
                .containsExactly("a", "b");
        assertThat(map("a").dns()).isEqualTo(PeerDns.DEFAULT);
    }

    @Test
    void aZoneWithRecordsReachesItsDistributionGroups() {
        projector.apply(new DnsZoneCreated(ACCOUNT, "z1", new DnsZoneDefinition("office", "office.example", true,
                true, List.of(ALL))));
        assertThat(map("c").dns().zones()).as("a zone without records is left out, as NetBird does").isEmpty();

        List<PeerNetworkMap> changed = projector.apply(new DnsRecordCreated(ACCOUNT, "z1", "r1",
                new DnsRecordDefinition("registry.office.example", DnsRecordType.A, "10.10.10.5", 300)));

        assertThat(peers(changed)).containsExactly("a", "b", "c");
        assertThat(map("c").dns().zones()).containsExactly(new PeerDns.Zone("office.example", false,
                List.of(new PeerDns.Record("registry.office.example", 1, 300, "10.10.10.5"))));
    }

    @Test
    void aDisabledManagementGroupTakesAllDnsAway() {
        projector.apply(new NameServerGroupCreated(ACCOUNT, "ns1", corp(true, ALL)));

        List<PeerNetworkMap> changed = projector.apply(new DnsSettingsUpdated(ACCOUNT, List.of(), List.of("dev")));

        assertThat(peers(changed)).containsExactly("a", "b");
        assertThat(map("a").dns()).isEqualTo(PeerDns.UNMANAGED);
        assertThat(map("c").dns().nameServerGroups()).hasSize(1);
    }
}

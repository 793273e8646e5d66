package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.MeshIp;
import dev.tern.events.values.NameServer;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.PeerConfig;
import dev.tern.projector.PeerDns;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.management.NameServerGroup;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The account's DNS in a peer's map, in the shape NetBird's client applies unchanged. */
class PeerDnsMessagesTest {
    private final PeerConfig own = new PeerConfig("p-own", "laptop",
            WireGuardKey.of(NaclBox.generateKeyPair().publicKey()), new MeshIp("100.64.0.1"), "100.64.0.1/16",
            "laptop.corp.example", true);

    private DNSConfig dnsOf(PeerDns dns) {
        return NetworkMapMessages.networkMap(new PeerNetworkMap("acc", "p-own", 1, own, List.of(), List.of(),
                List.of(), false, dns)).getDNSConfig();
    }

    @Test
    void customZonesFollowThePeerZoneAndNameServerGroupsCarryTheirServers() {
        DNSConfig dns = dnsOf(new PeerDns(true,
                List.of(new PeerDns.Zone("office.example", true, List.of(
                        new PeerDns.Record("registry.office.example", 1, 300, "10.10.10.5"),
                        new PeerDns.Record("www.office.example", 5, 60, "registry.office.example")))),
                List.of(new PeerDns.NameServerGroup(List.of(new NameServer("10.9.0.53", "udp", 5353)), false,
                        List.of("corp.example"), true))));

        assertThat(dns.getServiceEnable()).isTrue();
        assertThat(dns.getCustomZonesList()).extracting(CustomZone::getDomain)
                .containsExactly("corp.example.", "office.example.");
        CustomZone office = dns.getCustomZones(1);
        assertThat(office.getSearchDomainDisabled()).isTrue();
        assertThat(office.getNonAuthoritative()).isTrue();
        assertThat(office.getRecords(0).getName()).isEqualTo("registry.office.example.");
        assertThat(office.getRecords(0).getType()).isEqualTo(1);
        assertThat(office.getRecords(0).getClass_()).isEqualTo("IN");
        assertThat(office.getRecords(0).getTTL()).isEqualTo(300);
        assertThat(office.getRecords(0).getRData()).isEqualTo("10.10.10.5");
        assertThat(office.getRecords(1).getRData()).as("a CNAME target is fully qualified")
                .isEqualTo("registry.office.example.");

        NameServerGroup corp = dns.getNameServerGroups(0);
        assertThat(corp.getPrimary()).isFalse();
        assertThat(corp.getDomainsList()).containsExactly("corp.example");
        assertThat(corp.getSearchDomainsEnabled()).isTrue();
        assertThat(corp.getNameServers(0).getIP()).isEqualTo("10.9.0.53");
        assertThat(corp.getNameServers(0).getNSType()).isEqualTo(1);
        assertThat(corp.getNameServers(0).getPort()).isEqualTo(5353);
    }

    @Test
    void aPeerWhoseDnsIsNotManagedGetsNoDnsService() {
        DNSConfig dns = dnsOf(PeerDns.UNMANAGED);
        assertThat(dns.getServiceEnable()).isFalse();
        assertThat(dns.getCustomZonesList()).isEmpty();
        assertThat(dns.getNameServerGroupsList()).isEmpty();
    }
}

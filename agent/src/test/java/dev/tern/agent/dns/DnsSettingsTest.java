package dev.tern.agent.dns;

import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.management.NameServer;
import dev.tern.protocol.management.NameServerGroup;
import dev.tern.protocol.management.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** One unreadable entry of a map's DNSConfig is skipped; everything else is served. */
class DnsSettingsTest {
    private static SimpleRecord record(String name, long type, String rdata) {
        return SimpleRecord.newBuilder().setName(name).setType(type).setClass_("IN").setTTL(300).setRData(rdata).build();
    }

    private static NameServer nameserver(String ip, long port) {
        return NameServer.newBuilder().setIP(ip).setNSType(1).setPort(port).build();
    }

    @Test
    void unreadableRecordsAndNameserversAreSkippedAndTheRestKept() throws Exception {
        DnsSettings settings = DnsSettings.from(DNSConfig.newBuilder().setServiceEnable(true)
                .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal")
                        .addRecords(record("ok.tern.internal.", Type.A, "100.64.0.2"))
                        .addRecords(record("bad-ip.tern.internal.", Type.A, "not-an-ip"))
                        .addRecords(record("mx.tern.internal.", Type.MX, "10 mail.example."))
                        .addRecords(record("outside.example.", Type.A, "100.64.0.3")))
                .addNameServerGroups(NameServerGroup.newBuilder().addDomains("corp.example")
                        .addNameServers(nameserver("dns.corp.example", 53))
                        .addNameServers(nameserver("10.0.0.53", 0)))
                .addNameServerGroups(NameServerGroup.newBuilder().addDomains("dead.example")
                        .addNameServers(nameserver("999.1.1.1", 53)))
                .addNameServerGroups(NameServerGroup.newBuilder()
                        .addNameServers(nameserver("10.0.0.54", 5353)))
                .build());

        assertThat(settings.zones()).singleElement().satisfies(zone -> {
            assertThat(zone.domain()).isEqualTo(Name.fromString("tern.internal."));
            assertThat(zone.records()).containsOnlyKeys(Name.fromString("ok.tern.internal."));
        });
        assertThat(settings.groups()).as("a group without usable nameservers or domains serves nothing")
                .singleElement().satisfies(group -> {
                    assertThat(group.nameservers()).containsExactly(new InetSocketAddress("10.0.0.53", 53));
                    assertThat(group.domains()).containsExactly(Name.fromString("corp.example."));
                });
    }

    @Test
    void withoutServiceEnableNothingIsServed() {
        DnsSettings settings = DnsSettings.from(DNSConfig.newBuilder()
                .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal.")).build());
        assertThat(settings.enabled()).isFalse();
        assertThat(settings.zones()).isEmpty();
    }
}

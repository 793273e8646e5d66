package dev.tern.query.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.DnsRecordCreated;
import dev.tern.events.DnsRecordDeleted;
import dev.tern.events.DnsRecordUpdated;
import dev.tern.events.DnsSettingsUpdated;
import dev.tern.events.DnsZoneCreated;
import dev.tern.events.DnsZoneDeleted;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.NameServerGroupDeleted;
import dev.tern.events.NameServerGroupUpdated;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsRecordType;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.NameServer;
import dev.tern.events.values.NameServerGroupDefinition;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Private DNS as {@code DnsProjection} keeps it and {@code DnsReads} reads it, scoped to its account. */
class DnsProjectionTest extends ReadModelTestBase {
    @Autowired
    private DnsReads dnsReads;

    private static NameServerGroupDefinition corp(String name, String group) {
        return new NameServerGroupDefinition(name, "d", List.of(new NameServer("10.9.0.53", "udp", 53)), true,
                List.of(group), false, List.of("corp.example"), true);
    }

    @Test
    void settingsNameServerGroupsZonesAndRecords() {
        AccountHistory account = newAccount();
        AccountHistory other = newAccount();
        String acc = account.accountId;
        String dev = account.createGroup("dev");
        account.append(new DnsSettingsUpdated(acc, List.of(), List.of(dev)));
        account.append(new NameServerGroupCreated(acc, "ns-1", corp("corp", dev)));
        account.append(new NameServerGroupCreated(acc, "ns-2", corp("b-corp", dev)));
        account.append(new NameServerGroupUpdated(acc, "ns-2", corp("a-corp", dev)));
        account.append(new DnsZoneCreated(acc, "zone-1", new DnsZoneDefinition("office", "office.example", true,
                false, List.of(dev))));
        DnsRecordDefinition registry = new DnsRecordDefinition("registry.office.example", DnsRecordType.A,
                "10.10.10.5", 300);
        DnsRecordDefinition www = new DnsRecordDefinition("www.office.example", DnsRecordType.CNAME,
                "registry.office.example", 60);
        account.append(new DnsRecordCreated(acc, "zone-1", "rec-1", registry));
        account.append(new DnsRecordCreated(acc, "zone-1", "rec-2", registry));
        account.append(new DnsRecordUpdated(acc, "zone-1", "rec-2", www));
        awaitProjection();

        assertThat(dnsReads.disabledManagementGroups(acc)).containsExactly(dev);
        assertThat(dnsReads.disabledManagementGroups(other.accountId)).isEmpty();
        assertThat(dnsReads.nameServerGroups(acc)).extracting(DnsReads.NameServerGroupView::id)
                .containsExactly("ns-2", "ns-1");
        assertThat(dnsReads.nameServerGroup(acc, "ns-1")).hasValue(new DnsReads.NameServerGroupView("ns-1",
                corp("corp", dev)));
        assertThat(dnsReads.nameServerGroup(other.accountId, "ns-1")).isEmpty();
        assertThat(dnsReads.zone(acc, "zone-1")).hasValueSatisfying(z -> {
            assertThat(z.definition().domain()).isEqualTo("office.example");
            assertThat(z.records()).containsExactly(new DnsReads.RecordView("rec-1", "zone-1", registry),
                    new DnsReads.RecordView("rec-2", "zone-1", www));
        });
        assertThat(dnsReads.zones(other.accountId)).isEmpty();

        account.append(new DnsRecordDeleted(acc, "zone-1", "rec-1", "registry.office.example"));
        account.append(new NameServerGroupDeleted(acc, "ns-1", "corp"));
        awaitProjection();
        assertThat(dnsReads.record(acc, "zone-1", "rec-1")).isEmpty();
        assertThat(dnsReads.record(acc, "zone-1", "rec-2")).isPresent();
        assertThat(dnsReads.nameServerGroups(acc)).extracting(DnsReads.NameServerGroupView::id)
                .containsExactly("ns-2");

        account.append(new DnsZoneDeleted(acc, "zone-1", "office", "office.example"));
        account.append(new DnsSettingsUpdated(acc, List.of(dev), List.of()));
        awaitProjection();
        assertThat(dnsReads.zone(acc, "zone-1")).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM rm_dns_records WHERE zone_id = 'zone-1'", Long.class))
                .as("a deleted zone's records go with it").isZero();
        assertThat(dnsReads.disabledManagementGroups(acc)).isEmpty();
    }
}

package dev.tern.command;

import dev.tern.events.DnsRecordCreated;
import dev.tern.events.DnsRecordDeleted;
import dev.tern.events.DnsSettingsUpdated;
import dev.tern.events.DnsZoneCreated;
import dev.tern.events.DnsZoneDeleted;
import dev.tern.events.DnsZoneUpdated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.NameServerGroupDeleted;
import dev.tern.events.NameServerGroupUpdated;
import dev.tern.events.commands.CreateDnsRecord;
import dev.tern.events.commands.CreateDnsZone;
import dev.tern.events.commands.CreateNameServerGroup;
import dev.tern.events.commands.DeleteDnsRecord;
import dev.tern.events.commands.DeleteDnsZone;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.DeleteNameServerGroup;
import dev.tern.events.commands.UpdateDnsSettings;
import dev.tern.events.commands.UpdateDnsZone;
import dev.tern.events.commands.UpdateNameServerGroup;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsRecordType;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.NameServer;
import dev.tern.events.values.NameServerGroupDefinition;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DnsCommandsTest extends AccountFixtureSupport {

    static NameServerGroupDefinition corp(String name, String... groups) {
        return new NameServerGroupDefinition(name, "", List.of(new NameServer("10.9.0.53", "udp", 53)), true,
                List.of(groups), false, List.of("corp.example"), true);
    }

    static DnsZoneDefinition zone(String name, String domain, String... groups) {
        return new DnsZoneDefinition(name, domain, true, false, List.of(groups));
    }

    @Test
    void settingsNameExistingGroupsAndAnUnchangedListAppendsNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "servers")))
                .when(new UpdateDnsSettings(ACC, List.of("g1")))
                .expectEvents(new DnsSettingsUpdated(ACC, List.of(), List.of("g1")));
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "servers"),
                        new DnsSettingsUpdated(ACC, List.of(), List.of("g1"))))
                .when(new UpdateDnsSettings(ACC, List.of("g1")))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateDnsSettings(ACC, List.of("ghost")))
                .expectException(rejected(INVALID, "group ghost does not exist"))
                .expectNoEvents();
    }

    @Test
    void aNameServerGroupIsCreatedUpdatedAndDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(new CreateNameServerGroup(ACC, "ns1", corp("corp", "g1")))
                .expectEvents(new NameServerGroupCreated(ACC, "ns1", corp("corp", "g1")));
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new NameServerGroupCreated(ACC, "ns1", corp("corp", "g1"))))
                .when(new UpdateNameServerGroup(ACC, "ns1", corp("corp2", ALL)))
                .expectEvents(new NameServerGroupUpdated(ACC, "ns1", corp("corp2", ALL)));
        fixture.givenCurrentTime(NOW).andGiven(account(new NameServerGroupCreated(ACC, "ns1", corp("corp", ALL))))
                .when(new DeleteNameServerGroup(ACC, "ns1"))
                .expectEvents(new NameServerGroupDeleted(ACC, "ns1", "corp"));
    }

    @Test
    void aNameServerGroupNeedsKnownGroupsAndAUniqueName() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateNameServerGroup(ACC, "ns1", corp("corp", "ghost")))
                .expectException(rejected(INVALID, "group ghost does not exist"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account(new NameServerGroupCreated(ACC, "ns1", corp("corp", ALL))))
                .when(new CreateNameServerGroup(ACC, "ns2", corp("corp", ALL)))
                .expectException(rejected(INVALID, "named 'corp' already exists"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateNameServerGroup(ACC, "ns9", corp("corp", ALL)))
                .expectException(rejected(NOT_FOUND, "nameserver group ns9 not found"))
                .expectNoEvents();
    }

    @Test
    void invalidNameServerGroupValuesAreRefusedBeforeAnyCommand() {
        assertThatThrownBy(() -> new NameServer("10.0.0.300", "udp", 53).validated())
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new NameServer("dns.example", "udp", 53).validated())
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new NameServer("10.0.0.1", "udp", 0).validated())
                .isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new NameServer("10.0.0.1", "tcp", 53).validated())
                .isInstanceOf(InvalidValueException.class);
        NameServer ns = new NameServer("10.0.0.1", "udp", 53);
        assertThatThrownBy(() -> new NameServerGroupDefinition("n", "", List.of(ns), true, List.of(ALL), false,
                List.of("bad_domain!"), false).validated()).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> new NameServerGroupDefinition("n", "", List.of(ns), true, List.of(ALL), true,
                List.of("corp.example"), false).validated()).hasMessageContaining("primary");
        assertThatThrownBy(() -> new NameServerGroupDefinition("n", "", List.of(ns), true, List.of(ALL), false,
                List.of(), false).validated()).hasMessageContaining("match domain");
        assertThatThrownBy(() -> new NameServerGroupDefinition("n", "", List.of(ns, ns, ns, ns), true, List.of(ALL),
                true, List.of(), false).validated()).hasMessageContaining("1 to 3");
    }

    @Test
    void aZoneAndItsRecords() {
        DnsRecordDefinition registry = new DnsRecordDefinition("registry.office.example", DnsRecordType.A,
                "10.10.10.5", 300);
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateDnsZone(ACC, "z1", zone("office", "Office.Example.", ALL)))
                .expectEvents(new DnsZoneCreated(ACC, "z1", zone("office", "office.example", ALL)));
        fixture.givenCurrentTime(NOW).andGiven(account(new DnsZoneCreated(ACC, "z1", zone("office",
                        "office.example", ALL))))
                .when(new CreateDnsRecord(ACC, "z1", "r1", registry))
                .expectEvents(new DnsRecordCreated(ACC, "z1", "r1", registry));
        fixture.givenCurrentTime(NOW).andGiven(account(new DnsZoneCreated(ACC, "z1", zone("office",
                        "office.example", ALL)), new DnsRecordCreated(ACC, "z1", "r1", registry)))
                .when(new DeleteDnsRecord(ACC, "z1", "r1"))
                .expectEvents(new DnsRecordDeleted(ACC, "z1", "r1", "registry.office.example"));
        fixture.givenCurrentTime(NOW).andGiven(account(new DnsZoneCreated(ACC, "z1", zone("office",
                        "office.example", ALL)), new DnsRecordCreated(ACC, "z1", "r1", registry)))
                .when(new DeleteDnsZone(ACC, "z1"))
                .expectEvents(new DnsZoneDeleted(ACC, "z1", "office", "office.example"));
    }

    @Test
    void recordsStayWithinTheirZoneAndACnameOwnsItsName() {
        var given = account(new DnsZoneCreated(ACC, "z1", zone("office", "office.example", ALL)),
                new DnsRecordCreated(ACC, "z1", "r1", new DnsRecordDefinition("www.office.example",
                        DnsRecordType.A, "10.0.0.1", 60)));
        fixture.givenCurrentTime(NOW).andGiven(given)
                .when(new CreateDnsRecord(ACC, "z1", "r2", new DnsRecordDefinition("www.other.example",
                        DnsRecordType.A, "10.0.0.2", 60)))
                .expectException(rejected(INVALID, "not within the zone's domain office.example"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(given)
                .when(new CreateDnsRecord(ACC, "z1", "r2", new DnsRecordDefinition("www.office.example",
                        DnsRecordType.CNAME, "web.office.example", 60)))
                .expectException(rejected(INVALID, "CNAME"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(given)
                .when(new UpdateDnsZone(ACC, "z1", zone("office", "elsewhere.example", ALL)))
                .expectException(rejected(INVALID, "www.office.example of the zone is not within elsewhere.example"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(given)
                .when(new UpdateDnsZone(ACC, "z1", zone("office-renamed", "office.example", ALL)))
                .expectEvents(new DnsZoneUpdated(ACC, "z1", zone("office-renamed", "office.example", ALL)));
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateDnsRecord(ACC, "z9", "r1", new DnsRecordDefinition("a.b", DnsRecordType.A,
                        "10.0.0.1", 60)))
                .expectException(rejected(NOT_FOUND, "zone z9 not found"))
                .expectNoEvents();
    }

    @Test
    void aZoneNeitherRepeatsADomainNorShadowsThePeersDomain() {
        fixture.givenCurrentTime(NOW).andGiven(account(new DnsZoneCreated(ACC, "z1", zone("a", "office.example",
                        ALL))))
                .when(new CreateDnsZone(ACC, "z2", zone("b", "office.example", ALL)))
                .expectException(rejected(INVALID, "a zone for office.example already exists"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateDnsZone(ACC, "z2", zone("b", "x." + DOMAIN, ALL)))
                .expectException(rejected(INVALID, "within the peers' domain"))
                .expectNoEvents();
    }

    @Test
    void theAccountChecksValuesItselfToo() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateNameServerGroup(ACC, "ns1", new NameServerGroupDefinition("n", "",
                        List.of(new NameServer("10.0.0.1", "udp", 0)), true, List.of(ALL), true, List.of(), false)))
                .expectException(rejected(INVALID, "port"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account(new DnsZoneCreated(ACC, "z1", zone("o", "office.example",
                        ALL))))
                .when(new CreateDnsRecord(ACC, "z1", "r1", new DnsRecordDefinition("a.office.example",
                        DnsRecordType.A, "fd00::1", 60)))
                .expectException(rejected(INVALID, "IPv4"))
                .expectNoEvents();
    }

    @Test
    void recordContentMustFitItsType() {
        assertThatThrownBy(() -> new DnsRecordDefinition("a.example", DnsRecordType.A, "fd00::1", 60).validated())
                .hasMessageContaining("IPv4");
        assertThatThrownBy(() -> new DnsRecordDefinition("a.example", DnsRecordType.AAAA, "10.0.0.1", 60).validated())
                .hasMessageContaining("IPv6");
        assertThatThrownBy(() -> new DnsRecordDefinition("a.example", DnsRecordType.CNAME, "10.0.0.1", 60).validated())
                .hasMessageContaining("domain name");
        assertThatThrownBy(() -> new DnsRecordDefinition("a.example", DnsRecordType.A, "10.0.0.1", -1).validated())
                .hasMessageContaining("ttl");
        assertThatThrownBy(() -> new DnsRecordDefinition("*.example", DnsRecordType.A, "10.0.0.1", 60).validated())
                .isInstanceOf(InvalidValueException.class);
    }

    @Test
    void aGroupTheDnsConfigurationNamesCannotBeDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new NameServerGroupCreated(ACC, "ns1", corp("corp", "g1"))))
                .when(new DeleteGroup(ACC, "g1"))
                .expectException(rejected(CONFLICT, "nameserver group 'corp'"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new DnsZoneCreated(ACC, "z1", zone("office", "office.example", "g1"))))
                .when(new DeleteGroup(ACC, "g1"))
                .expectException(rejected(CONFLICT, "zone 'office'"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new DnsSettingsUpdated(ACC, List.of(), List.of("g1"))))
                .when(new DeleteGroup(ACC, "g1"))
                .expectException(rejected(CONFLICT, "DNS settings"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new DnsSettingsUpdated(ACC, List.of(), List.of("g1")),
                        new DnsSettingsUpdated(ACC, List.of("g1"), List.of())))
                .when(new DeleteGroup(ACC, "g1"))
                .expectEvents(new GroupDeleted(ACC, "g1", "dev"));
    }
}

package dev.tern.projector;

import dev.tern.events.AccountEvent;
import dev.tern.events.DnsRecordCreated;
import dev.tern.events.DnsRecordDeleted;
import dev.tern.events.DnsRecordUpdated;
import dev.tern.events.DnsSettingsUpdated;
import dev.tern.events.DnsZoneCreated;
import dev.tern.events.DnsZoneDeleted;
import dev.tern.events.DnsZoneUpdated;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.NameServerGroupDeleted;
import dev.tern.events.NameServerGroupUpdated;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.NameServerGroupDefinition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The DNS part of {@link NaiveNetworkMaps}: the definitions as the events left them, and NetBird's selection
 * (disabled management groups first, then every enabled nameserver group and every enabled zone with records whose
 * groups hold the peer) done from scratch for each peer. Written apart from {@link AccountDns}.
 */
final class NaiveDns {
    private List<String> disabled = List.of();
    private final Map<String, NameServerGroupDefinition> nameServerGroups = new HashMap<>();
    private final Map<String, DnsZoneDefinition> zones = new HashMap<>();
    private final Map<String, Map<String, DnsRecordDefinition>> records = new HashMap<>();

    void apply(AccountEvent event) {
        if (event instanceof DnsSettingsUpdated e) {
            disabled = e.disabledManagementGroups();
        } else if (event instanceof NameServerGroupCreated e) {
            nameServerGroups.put(e.nameServerGroupId(), e.definition());
        } else if (event instanceof NameServerGroupUpdated e) {
            nameServerGroups.put(e.nameServerGroupId(), e.definition());
        } else if (event instanceof NameServerGroupDeleted e) {
            nameServerGroups.remove(e.nameServerGroupId());
        } else if (event instanceof DnsZoneCreated e) {
            zones.put(e.zoneId(), e.definition());
            records.put(e.zoneId(), new LinkedHashMap<>());
        } else if (event instanceof DnsZoneUpdated e) {
            zones.put(e.zoneId(), e.definition());
        } else if (event instanceof DnsZoneDeleted e) {
            zones.remove(e.zoneId());
            records.remove(e.zoneId());
        } else if (event instanceof DnsRecordCreated e) {
            records.get(e.zoneId()).put(e.recordId(), e.definition());
        } else if (event instanceof DnsRecordUpdated e) {
            records.get(e.zoneId()).put(e.recordId(), e.definition());
        } else if (event instanceof DnsRecordDeleted e) {
            records.get(e.zoneId()).remove(e.recordId());
        } else {
            throw new IllegalArgumentException(event.toString());
        }
    }

    PeerDns configOf(Predicate<String> inGroup) {
        if (disabled.stream().anyMatch(inGroup)) {
            return PeerDns.UNMANAGED;
        }
        List<PeerDns.Zone> peerZones = new ArrayList<>();
        for (String zoneId : zones.keySet().stream().sorted().toList()) {
            DnsZoneDefinition zone = zones.get(zoneId);
            Map<String, DnsRecordDefinition> zoneRecords = records.get(zoneId);
            if (!zone.enabled() || zoneRecords.isEmpty() || zone.distributionGroups().stream().noneMatch(inGroup)) {
                continue;
            }
            List<PeerDns.Record> list = new ArrayList<>();
            zoneRecords.values().forEach(r -> list.add(new PeerDns.Record(r.name(), r.type().rrType(), r.ttl(),
                    r.content())));
            list.sort(Comparator.comparing(PeerDns.Record::name).thenComparing(PeerDns.Record::type)
                    .thenComparing(PeerDns.Record::data));
            peerZones.add(new PeerDns.Zone(zone.domain(), !zone.enableSearchDomain(), list));
        }
        List<PeerDns.NameServerGroup> groups = new ArrayList<>();
        for (String id : nameServerGroups.keySet().stream().sorted().toList()) {
            NameServerGroupDefinition ns = nameServerGroups.get(id);
            if (ns.enabled() && ns.groups().stream().anyMatch(inGroup)) {
                groups.add(new PeerDns.NameServerGroup(ns.nameservers(), ns.primary(), ns.domains(),
                        ns.searchDomainsEnabled()));
            }
        }
        return new PeerDns(true, peerZones, groups);
    }

    List<String> nameServerGroupIds() {
        return nameServerGroups.keySet().stream().sorted().toList();
    }

    List<String> zoneIds() {
        return zones.keySet().stream().sorted().toList();
    }

    List<String> recordIds(String zoneId) {
        return records.getOrDefault(zoneId, Map.of()).keySet().stream().sorted().toList();
    }

    String domainOf(String zoneId) {
        return zones.get(zoneId).domain();
    }
}

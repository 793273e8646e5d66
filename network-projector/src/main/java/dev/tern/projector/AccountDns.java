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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One account's private DNS as the network maps need it: the disabled management groups, the nameserver groups and
 * the custom zones with their records. {@link #apply} answers which groups' members an event may concern (their
 * maps are recomputed, nobody else's); {@link #configOf} gives a peer its {@link PeerDns}. What a peer gets depends
 * only on which of these things name its groups, so peers with the same answer share one instance (cached until the
 * next DNS event). Not thread-safe: the graph's owner serialises access.
 */
final class AccountDns {
    private record Zone(DnsZoneDefinition definition, Map<String, DnsRecordDefinition> records) {
    }

    private static final Comparator<PeerDns.Record> RECORD_ORDER = Comparator.comparing(PeerDns.Record::name)
            .thenComparingInt(PeerDns.Record::type).thenComparing(PeerDns.Record::data);

    private List<String> disabledManagementGroups = List.of();
    private final Map<String, NameServerGroupDefinition> nameServerGroups = new TreeMap<>();
    private final Map<String, Zone> zones = new TreeMap<>();
    /** Built configurations by the ids of the nameserver groups and zones that apply (the key's two lists). */
    private final Map<List<List<String>>, PeerDns> shared = new HashMap<>();
    /**
     * The configuration by a peer's set of groups (the All group aside): peers in the same groups get the same
     * answer, so a full recomputation asks the nameserver groups and zones once per set, not once per peer.
     * Cleared with {@link #shared} by every DNS event, the only thing that changes an answer.
     */
    private final Map<Set<String>, PeerDns> byGroups = new HashMap<>();
    private final Map<String, PeerDns.Zone> builtZones = new HashMap<>();

    /** Applies a DNS event (one of AccountEventDispatch.DNS_EVENTS); returns the groups whose members it concerns. */
    Set<String> apply(AccountEvent event) {
        shared.clear();
        byGroups.clear();
        Set<String> groups = new HashSet<>();
        if (event instanceof DnsSettingsUpdated e) {
            groups.addAll(e.disabledManagementGroupsBefore());
            groups.addAll(e.disabledManagementGroups());
            disabledManagementGroups = List.copyOf(e.disabledManagementGroups());
        } else if (event instanceof NameServerGroupCreated e) {
            putNameServerGroup(e.nameServerGroupId(), e.definition(), groups);
        } else if (event instanceof NameServerGroupUpdated e) {
            putNameServerGroup(e.nameServerGroupId(), e.definition(), groups);
        } else if (event instanceof NameServerGroupDeleted e) {
            putNameServerGroup(e.nameServerGroupId(), null, groups);
        } else if (event instanceof DnsZoneCreated e) {
            putZone(e.zoneId(), e.definition(), groups);
        } else if (event instanceof DnsZoneUpdated e) {
            putZone(e.zoneId(), e.definition(), groups);
        } else if (event instanceof DnsZoneDeleted e) {
            putZone(e.zoneId(), null, groups);
        } else if (event instanceof DnsRecordCreated e) {
            putRecord(e.zoneId(), e.recordId(), e.definition(), groups);
        } else if (event instanceof DnsRecordUpdated e) {
            putRecord(e.zoneId(), e.recordId(), e.definition(), groups);
        } else if (event instanceof DnsRecordDeleted e) {
            putRecord(e.zoneId(), e.recordId(), null, groups);
        } else {
            throw new IllegalStateException("not a DNS event: " + event.getClass().getSimpleName());
        }
        return groups;
    }

    private void putNameServerGroup(String id, NameServerGroupDefinition definition, Set<String> groups) {
        NameServerGroupDefinition old = definition == null ? nameServerGroups.remove(id)
                : nameServerGroups.put(id, definition);
        if (old != null) {
            groups.addAll(old.groups());
        }
        if (definition != null) {
            groups.addAll(definition.groups());
        }
    }

    private void putZone(String id, DnsZoneDefinition definition, Set<String> groups) {
        builtZones.remove(id);
        Zone old = zones.get(id);
        if (old != null) {
            groups.addAll(old.definition().distributionGroups());
        }
        if (definition == null) {
            zones.remove(id);
        } else {
            zones.put(id, new Zone(definition, old == null ? new TreeMap<>() : old.records()));
            groups.addAll(definition.distributionGroups());
        }
    }

    private void putRecord(String zoneId, String recordId, DnsRecordDefinition definition, Set<String> groups) {
        Zone zone = zones.get(zoneId);
        if (zone == null) {
            return;
        }
        builtZones.remove(zoneId);
        if (definition == null) {
            zone.records().remove(recordId);
        } else {
            zone.records().put(recordId, definition);
        }
        groups.addAll(zone.definition().distributionGroups());
    }

    /** Whether anything here names the group (the account refuses to delete such a group; the maps cope). */
    boolean names(String groupId) {
        return disabledManagementGroups.contains(groupId)
                || nameServerGroups.values().stream().anyMatch(ns -> ns.groups().contains(groupId))
                || zones.values().stream().anyMatch(z -> z.definition().distributionGroups().contains(groupId));
    }

    /**
     * The configuration of a peer whose groups (the All group included) {@code inGroup} tells: unmanaged in a
     * disabled management group; otherwise the enabled nameserver groups and the enabled zones with records that
     * name one of its groups, as NetBird's GetPeerNetworkMap selects them.
     */
    PeerDns configFor(Set<String> groups, Predicate<String> inGroup) {
        PeerDns known = byGroups.get(groups);
        if (known == null) {
            known = configOf(inGroup);
            byGroups.put(Set.copyOf(groups), known);
        }
        return known;
    }

    PeerDns configOf(Predicate<String> inGroup) {
        for (String groupId : disabledManagementGroups) {
            if (inGroup.test(groupId)) {
                return PeerDns.UNMANAGED;
            }
        }
        List<String> nsIds = new ArrayList<>();
        for (Map.Entry<String, NameServerGroupDefinition> ns : nameServerGroups.entrySet()) {
            if (ns.getValue().enabled() && ns.getValue().groups().stream().anyMatch(inGroup)) {
                nsIds.add(ns.getKey());
            }
        }
        List<String> zoneIds = new ArrayList<>();
        for (Map.Entry<String, Zone> zone : zones.entrySet()) {
            DnsZoneDefinition definition = zone.getValue().definition();
            if (definition.enabled() && !zone.getValue().records().isEmpty()
                    && definition.distributionGroups().stream().anyMatch(inGroup)) {
                zoneIds.add(zone.getKey());
            }
        }
        if (nsIds.isEmpty() && zoneIds.isEmpty()) {
            return PeerDns.DEFAULT;
        }
        return shared.computeIfAbsent(List.of(nsIds, zoneIds), key -> new PeerDns(true,
                zoneIds.stream().map(this::builtZone).toList(),
                nsIds.stream().map(id -> {
                    NameServerGroupDefinition d = nameServerGroups.get(id);
                    return new PeerDns.NameServerGroup(d.nameservers(), d.primary(), d.domains(),
                            d.searchDomainsEnabled());
                }).toList()));
    }

    private PeerDns.Zone builtZone(String zoneId) {
        return builtZones.computeIfAbsent(zoneId, id -> {
            Zone zone = zones.get(id);
            List<PeerDns.Record> records = new ArrayList<>();
            for (DnsRecordDefinition r : zone.records().values()) {
                records.add(new PeerDns.Record(r.name(), r.type().rrType(), r.ttl(), r.content()));
            }
            records.sort(RECORD_ORDER);
            return new PeerDns.Zone(zone.definition().domain(), !zone.definition().enableSearchDomain(), records);
        });
    }
}

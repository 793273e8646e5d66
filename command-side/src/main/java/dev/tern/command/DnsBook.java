package dev.tern.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tern.events.CommandRejected;
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
import dev.tern.events.values.DnsNames;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsRecordType;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.InvalidValueException;
import dev.tern.events.values.NameServerGroupDefinition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The account's private DNS (settings, nameserver groups, custom zones and their records) and the decisions about
 * it. Each decision checks everything first and returns the event to apply; the account applies it and this book
 * takes it in through {@code on(...)}. Everything here ends up in the network maps of the peers it names, so the
 * counts are bounded: no admin request can make a map outgrow what a peer accepts.
 */
final class DnsBook {
    static final int MAX_NAMESERVER_GROUPS = 200;
    static final int MAX_ZONES = 200;
    static final int MAX_RECORDS = 10_000;
    static final int MAX_DISTRIBUTION_GROUPS = InputLimits.MAX_GROUPS_PER_RULE_SIDE;

    record Zone(String id, DnsZoneDefinition definition, Map<String, DnsRecordDefinition> records) {
    }

    record Snapshot(List<String> disabledManagementGroups, Map<String, NameServerGroupDefinition> nameServerGroups,
                    List<Zone> zones) {
    }

    private List<String> disabledManagementGroups = List.of();
    private final Map<String, NameServerGroupDefinition> nameServerGroups = new TreeMap<>();
    private final Map<String, Zone> zones = new TreeMap<>();
    private int recordCount;

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static DnsBook fromSnapshot(Snapshot snapshot) {
        DnsBook book = new DnsBook();
        book.disabledManagementGroups = List.copyOf(snapshot.disabledManagementGroups());
        book.nameServerGroups.putAll(snapshot.nameServerGroups());
        for (Zone zone : snapshot.zones()) {
            book.zones.put(zone.id(), new Zone(zone.id(), zone.definition(), new TreeMap<>(zone.records())));
            book.recordCount += zone.records().size();
        }
        return book;
    }

    @JsonValue
    Snapshot snapshot() {
        List<Zone> list = new ArrayList<>(zones.values());
        list.sort(Comparator.comparing(Zone::id));
        return new Snapshot(disabledManagementGroups, new TreeMap<>(nameServerGroups), list);
    }

    // ---------------------------------------------------------------- decisions

    /** The settings event, or empty when the groups are the ones already set. */
    Optional<DnsSettingsUpdated> updateSettings(String accountId, List<String> groups, Predicate<String> groupExists) {
        List<String> wanted = existingGroups(groups, "disabled management groups", groupExists);
        if (wanted.equals(disabledManagementGroups)) {
            return Optional.empty();
        }
        return Optional.of(new DnsSettingsUpdated(accountId, disabledManagementGroups, wanted));
    }

    NameServerGroupCreated createNameServerGroup(String accountId, String id, NameServerGroupDefinition definition,
                                                 Predicate<String> groupExists) {
        String groupId = Rules.id(id, "nameserver group id");
        if (nameServerGroups.containsKey(groupId)) {
            throw CommandRejected.conflict("nameserver group " + groupId + " already exists");
        }
        if (nameServerGroups.size() >= MAX_NAMESERVER_GROUPS) {
            throw CommandRejected.invalid("an account has at most " + MAX_NAMESERVER_GROUPS + " nameserver groups");
        }
        return new NameServerGroupCreated(accountId, groupId, checked(groupId, definition, groupExists));
    }

    NameServerGroupUpdated updateNameServerGroup(String accountId, String id, NameServerGroupDefinition definition,
                                                 Predicate<String> groupExists) {
        requireNameServerGroup(id);
        return new NameServerGroupUpdated(accountId, id, checked(id, definition, groupExists));
    }

    NameServerGroupDeleted deleteNameServerGroup(String accountId, String id) {
        return new NameServerGroupDeleted(accountId, id, requireNameServerGroup(id).name());
    }

    DnsZoneCreated createZone(String accountId, String id, DnsZoneDefinition definition, String peerDomain,
                              Predicate<String> groupExists) {
        String zoneId = Rules.id(id, "zone id");
        if (zones.containsKey(zoneId)) {
            throw CommandRejected.conflict("zone " + zoneId + " already exists");
        }
        if (zones.size() >= MAX_ZONES) {
            throw CommandRejected.invalid("an account has at most " + MAX_ZONES + " zones");
        }
        return new DnsZoneCreated(accountId, zoneId, checked(zoneId, definition, peerDomain, groupExists));
    }

    DnsZoneUpdated updateZone(String accountId, String id, DnsZoneDefinition definition, String peerDomain,
                              Predicate<String> groupExists) {
        Zone zone = requireZone(id);
        DnsZoneDefinition checked = checked(id, definition, peerDomain, groupExists);
        for (DnsRecordDefinition record : zone.records().values()) {
            if (!DnsNames.within(record.name(), checked.domain())) {
                throw CommandRejected.invalid("record " + record.name() + " of the zone is not within "
                        + checked.domain());
            }
        }
        return new DnsZoneUpdated(accountId, id, checked);
    }

    DnsZoneDeleted deleteZone(String accountId, String id) {
        Zone zone = requireZone(id);
        return new DnsZoneDeleted(accountId, id, zone.definition().name(), zone.definition().domain());
    }

    DnsRecordCreated createRecord(String accountId, String zoneId, String recordId, DnsRecordDefinition definition) {
        Zone zone = requireZone(zoneId);
        String id = Rules.id(recordId, "record id");
        if (zone.records().containsKey(id)) {
            throw CommandRejected.conflict("record " + id + " already exists");
        }
        if (recordCount >= MAX_RECORDS) {
            throw CommandRejected.invalid("an account has at most " + MAX_RECORDS + " DNS records");
        }
        return new DnsRecordCreated(accountId, zoneId, id, checked(zone, id, definition));
    }

    DnsRecordUpdated updateRecord(String accountId, String zoneId, String recordId, DnsRecordDefinition definition) {
        Zone zone = requireZone(zoneId);
        requireRecord(zone, recordId);
        return new DnsRecordUpdated(accountId, zoneId, recordId, checked(zone, recordId, definition));
    }

    DnsRecordDeleted deleteRecord(String accountId, String zoneId, String recordId) {
        Zone zone = requireZone(zoneId);
        return new DnsRecordDeleted(accountId, zoneId, recordId, requireRecord(zone, recordId).name());
    }

    /** What of the DNS configuration names the group (a group it names cannot be deleted), or null. */
    String anyReferencing(String groupId) {
        if (disabledManagementGroups.contains(groupId)) {
            return "the DNS settings (disabled management groups)";
        }
        for (Map.Entry<String, NameServerGroupDefinition> ns : nameServerGroups.entrySet()) {
            if (ns.getValue().groups().contains(groupId)) {
                return "nameserver group '" + ns.getValue().name() + "' (" + ns.getKey() + ")";
            }
        }
        for (Zone zone : zones.values()) {
            if (zone.definition().distributionGroups().contains(groupId)) {
                return "zone '" + zone.definition().name() + "' (" + zone.id() + ")";
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- state

    void on(DnsSettingsUpdated e) {
        disabledManagementGroups = List.copyOf(e.disabledManagementGroups());
    }

    void on(NameServerGroupCreated e) {
        nameServerGroups.put(e.nameServerGroupId(), e.definition());
    }

    void on(NameServerGroupUpdated e) {
        nameServerGroups.put(e.nameServerGroupId(), e.definition());
    }

    void on(NameServerGroupDeleted e) {
        nameServerGroups.remove(e.nameServerGroupId());
    }

    void on(DnsZoneCreated e) {
        zones.put(e.zoneId(), new Zone(e.zoneId(), e.definition(), new TreeMap<>()));
    }

    void on(DnsZoneUpdated e) {
        Zone old = zones.get(e.zoneId());
        if (old != null) {
            zones.put(e.zoneId(), new Zone(e.zoneId(), e.definition(), old.records()));
        }
    }

    void on(DnsZoneDeleted e) {
        Zone old = zones.remove(e.zoneId());
        if (old != null) {
            recordCount -= old.records().size();
        }
    }

    void on(DnsRecordCreated e) {
        Zone zone = zones.get(e.zoneId());
        if (zone != null && zone.records().put(e.recordId(), e.definition()) == null) {
            recordCount++;
        }
    }

    void on(DnsRecordUpdated e) {
        Zone zone = zones.get(e.zoneId());
        if (zone != null) {
            zone.records().put(e.recordId(), e.definition());
        }
    }

    void on(DnsRecordDeleted e) {
        Zone zone = zones.get(e.zoneId());
        if (zone != null && zone.records().remove(e.recordId()) != null) {
            recordCount--;
        }
    }

    // ---------------------------------------------------------------- checks

    private NameServerGroupDefinition checked(String id, NameServerGroupDefinition requested,
                                              Predicate<String> groupExists) {
        NameServerGroupDefinition definition = valid(Rules.present(requested, "nameserver group"),
                NameServerGroupDefinition::validated);
        Rules.text(definition.description(), "nameserver group description", InputLimits.MAX_DESCRIPTION);
        existingGroups(definition.groups(), "nameserver group groups", groupExists);
        for (Map.Entry<String, NameServerGroupDefinition> other : nameServerGroups.entrySet()) {
            if (!other.getKey().equals(id) && other.getValue().name().equals(definition.name())) {
                throw CommandRejected.invalid("a nameserver group named '" + definition.name() + "' already exists");
            }
        }
        return definition;
    }

    private DnsZoneDefinition checked(String id, DnsZoneDefinition requested, String peerDomain,
                                      Predicate<String> groupExists) {
        DnsZoneDefinition definition = valid(Rules.present(requested, "zone"), DnsZoneDefinition::validated);
        existingGroups(definition.distributionGroups(), "zone distribution groups", groupExists);
        if (peerDomain != null && DnsNames.within(definition.domain(), peerDomain)) {
            throw CommandRejected.invalid("zone domain " + definition.domain() + " is within the peers' domain "
                    + peerDomain);
        }
        for (Zone other : zones.values()) {
            if (!other.id().equals(id) && other.definition().domain().equals(definition.domain())) {
                throw CommandRejected.invalid("a zone for " + definition.domain() + " already exists");
            }
        }
        return definition;
    }

    private static DnsRecordDefinition checked(Zone zone, String recordId, DnsRecordDefinition requested) {
        DnsRecordDefinition definition = valid(Rules.present(requested, "record"), DnsRecordDefinition::validated);
        String domain = zone.definition().domain();
        if (!DnsNames.within(definition.name(), domain)) {
            throw CommandRejected.invalid("record name " + definition.name() + " is not within the zone's domain "
                    + domain);
        }
        // A CNAME owns its name alone (RFC 1034 3.6.2).
        for (Map.Entry<String, DnsRecordDefinition> other : zone.records().entrySet()) {
            DnsRecordDefinition existing = other.getValue();
            if (!other.getKey().equals(recordId) && existing.name().equals(definition.name())
                    && (existing.type() == DnsRecordType.CNAME || definition.type() == DnsRecordType.CNAME)) {
                throw CommandRejected.invalid("a CNAME record cannot share its name " + definition.name()
                        + " with another record");
            }
        }
        return definition;
    }

    /** The value's own checks (the REST edge ran them already; a command may come from elsewhere). */
    private static <T> T valid(T value, java.util.function.UnaryOperator<T> validated) {
        try {
            return validated.apply(value);
        } catch (InvalidValueException e) {
            throw CommandRejected.invalid(e.getMessage());
        }
    }

    private static List<String> existingGroups(List<String> ids, String what, Predicate<String> groupExists) {
        List<String> distinct = Rules.distinctIds(ids, what, MAX_DISTRIBUTION_GROUPS);
        for (String groupId : distinct) {
            if (!groupExists.test(groupId)) {
                throw CommandRejected.invalid("group " + groupId + " does not exist");
            }
        }
        return distinct;
    }

    private NameServerGroupDefinition requireNameServerGroup(String id) {
        NameServerGroupDefinition found = id == null ? null : nameServerGroups.get(id);
        if (found == null) {
            throw CommandRejected.notFound("nameserver group " + id + " not found");
        }
        return found;
    }

    private Zone requireZone(String id) {
        Zone found = id == null ? null : zones.get(id);
        if (found == null) {
            throw CommandRejected.notFound("zone " + id + " not found");
        }
        return found;
    }

    private static DnsRecordDefinition requireRecord(Zone zone, String id) {
        DnsRecordDefinition found = id == null ? null : zone.records().get(id);
        if (found == null) {
            throw CommandRejected.notFound("record " + id + " not found");
        }
        return found;
    }
}

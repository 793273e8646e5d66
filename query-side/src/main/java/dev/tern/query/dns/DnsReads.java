package dev.tern.query.dns;

import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.NameServerGroupDefinition;
import dev.tern.query.AsOfScope;
import dev.tern.query.jdbc.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads of the tables {@link DnsProjection} keeps. Scoped to one account: an id of another account is simply not
 * found.
 */
@Component
public class DnsReads {
    /** A nameserver group as stored. */
    public record NameServerGroupView(String id, NameServerGroupDefinition definition) {
    }

    /** A record of a zone as stored. */
    public record RecordView(String id, String zoneId, DnsRecordDefinition definition) {
    }

    /** A custom zone with its records (sorted by name, then id). */
    public record ZoneView(String id, DnsZoneDefinition definition, List<RecordView> records) {
    }

    /** What an as-of state answers for these reads ({@link AsOfScope}), in the tables' orders. */
    public interface AsOf {
        List<String> disabledManagementGroups();

        List<NameServerGroupView> nameServerGroups();

        List<ZoneView> zones();
    }

    private final JdbcTemplate jdbc;

    public DnsReads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The groups whose peers' DNS Tern does not manage; empty for an account that never set any. */
    public List<String> disabledManagementGroups(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().disabledManagementGroups();
        }
        return jdbc.queryForList("SELECT disabled_management_groups::text FROM rm_dns_settings WHERE account_id = ?",
                String.class, accountId).stream().findFirst().map(Json::readStringList).orElse(List.of());
    }

    public List<NameServerGroupView> nameServerGroups(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().nameServerGroups();
        }
        return jdbc.query("SELECT id, definition::text FROM rm_nameserver_groups WHERE account_id = ?"
                        + " ORDER BY name, id",
                (rs, i) -> new NameServerGroupView(rs.getString(1),
                        Json.read(rs.getString(2), NameServerGroupDefinition.class)), accountId);
    }

    public Optional<NameServerGroupView> nameServerGroup(String accountId, String id) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().nameServerGroups().stream().filter(g -> g.id().equals(id)).findFirst();
        }
        return jdbc.query("SELECT id, definition::text FROM rm_nameserver_groups WHERE account_id = ? AND id = ?",
                (rs, i) -> new NameServerGroupView(rs.getString(1),
                        Json.read(rs.getString(2), NameServerGroupDefinition.class)), accountId, id)
                .stream().findFirst();
    }

    public List<ZoneView> zones(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().zones();
        }
        return zonesWhere("account_id = ?", accountId);
    }

    public Optional<ZoneView> zone(String accountId, String zoneId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().zones().stream().filter(z -> z.id().equals(zoneId)).findFirst();
        }
        return zonesWhere("account_id = ? AND id = ?", accountId, zoneId).stream().findFirst();
    }

    public Optional<RecordView> record(String accountId, String zoneId, String recordId) {
        return zone(accountId, zoneId).flatMap(z -> z.records().stream()
                .filter(r -> r.id().equals(recordId)).findFirst());
    }

    private List<ZoneView> zonesWhere(String condition, Object... args) {
        record ZoneRow(String id, DnsZoneDefinition definition) {
        }
        List<ZoneRow> rows = jdbc.query("SELECT id, definition::text FROM rm_dns_zones WHERE " + condition
                + " ORDER BY name, id", (rs, i) -> new ZoneRow(rs.getString(1),
                Json.read(rs.getString(2), DnsZoneDefinition.class)), args);
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, List<RecordView>> records = new HashMap<>();
        jdbc.query("SELECT id, zone_id, definition::text FROM rm_dns_records WHERE zone_id IN (SELECT id FROM "
                + "rm_dns_zones WHERE " + condition + ") ORDER BY name, id", rs -> {
            records.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(new RecordView(rs.getString(1),
                    rs.getString(2), Json.read(rs.getString(3), DnsRecordDefinition.class)));
        }, args);
        return rows.stream().map(z -> new ZoneView(z.id(), z.definition(),
                List.copyOf(records.getOrDefault(z.id(), List.of())))).toList();
    }
}

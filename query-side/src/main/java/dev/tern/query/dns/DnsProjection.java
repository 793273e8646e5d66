package dev.tern.query.dns;

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
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.WriteBehind;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Private DNS: settings, nameserver groups, custom zones and their records (rm_dns_*, rm_nameserver_groups). */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class DnsProjection {
    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;

    DnsProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
    }

    @ResetHandler
    void reset() {
        // DELETE, not TRUNCATE, which would lock readers out until the rebuild commits (ReadModelRebuild).
        jdbc.execute("DELETE FROM rm_dns_settings");
        jdbc.execute("DELETE FROM rm_nameserver_groups");
        jdbc.execute("DELETE FROM rm_dns_zones");
        jdbc.execute("DELETE FROM rm_dns_records");
    }

    @EventHandler
    void on(DnsSettingsUpdated e) {
        writes.update("""
                        INSERT INTO rm_dns_settings (account_id, disabled_management_groups) VALUES (?, ?::jsonb)
                        ON CONFLICT (account_id) DO UPDATE
                        SET disabled_management_groups = EXCLUDED.disabled_management_groups""",
                e.accountId(), Json.write(e.disabledManagementGroups()));
    }

    @EventHandler
    void on(NameServerGroupCreated e) {
        upsertNameServerGroup(e.accountId(), e.nameServerGroupId(), e.definition());
    }

    @EventHandler
    void on(NameServerGroupUpdated e) {
        upsertNameServerGroup(e.accountId(), e.nameServerGroupId(), e.definition());
    }

    @EventHandler
    void on(NameServerGroupDeleted e) {
        writes.update("DELETE FROM rm_nameserver_groups WHERE id = ?", e.nameServerGroupId());
    }

    @EventHandler
    void on(DnsZoneCreated e) {
        upsertZone(e.accountId(), e.zoneId(), e.definition());
    }

    @EventHandler
    void on(DnsZoneUpdated e) {
        upsertZone(e.accountId(), e.zoneId(), e.definition());
    }

    @EventHandler
    void on(DnsZoneDeleted e) {
        writes.update("DELETE FROM rm_dns_records WHERE zone_id = ?", e.zoneId());
        writes.update("DELETE FROM rm_dns_zones WHERE id = ?", e.zoneId());
    }

    @EventHandler
    void on(DnsRecordCreated e) {
        upsertRecord(e.accountId(), e.zoneId(), e.recordId(), e.definition());
    }

    @EventHandler
    void on(DnsRecordUpdated e) {
        upsertRecord(e.accountId(), e.zoneId(), e.recordId(), e.definition());
    }

    @EventHandler
    void on(DnsRecordDeleted e) {
        writes.update("DELETE FROM rm_dns_records WHERE id = ?", e.recordId());
    }

    private void upsertNameServerGroup(String accountId, String id, NameServerGroupDefinition definition) {
        writes.update("""
                        INSERT INTO rm_nameserver_groups (id, account_id, name, definition) VALUES (?, ?, ?, ?::jsonb)
                        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, definition = EXCLUDED.definition""",
                id, accountId, definition.name(), Json.write(definition));
    }

    private void upsertZone(String accountId, String id, DnsZoneDefinition definition) {
        writes.update("""
                        INSERT INTO rm_dns_zones (id, account_id, name, definition) VALUES (?, ?, ?, ?::jsonb)
                        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, definition = EXCLUDED.definition""",
                id, accountId, definition.name(), Json.write(definition));
    }

    private void upsertRecord(String accountId, String zoneId, String id, DnsRecordDefinition definition) {
        writes.update("""
                        INSERT INTO rm_dns_records (id, zone_id, account_id, name, definition)
                        VALUES (?, ?, ?, ?, ?::jsonb)
                        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, definition = EXCLUDED.definition""",
                id, zoneId, accountId, definition.name(), Json.write(definition));
    }
}

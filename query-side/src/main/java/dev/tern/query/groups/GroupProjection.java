package dev.tern.query.groups;

import dev.tern.events.AllGroup;
import dev.tern.events.GroupCreated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.WriteBehind;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Groups, their explicit members, and the policies between them. */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class GroupProjection {
    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;

    GroupProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
    }

    @ResetHandler
    void reset() {
        // DELETE, not TRUNCATE, which would lock readers out until the rebuild commits (ReadModelRebuild).
        jdbc.execute("DELETE FROM rm_groups");
        jdbc.execute("DELETE FROM rm_group_members");
        jdbc.execute("DELETE FROM rm_policies");
    }

    @EventHandler
    void on(GroupCreated e) {
        GroupIssuer issued = e.issued() == null ? GroupIssuer.API : e.issued();
        // As the aggregate decides (AllGroup.isCreatedBy): the account's first group named All is the built-in one.
        writes.update("""
                        INSERT INTO rm_groups (id, account_id, name, issued, is_all)
                        VALUES (?, ?, ?, ?, ? AND NOT EXISTS (SELECT 1 FROM rm_groups WHERE account_id = ? AND is_all))
                        ON CONFLICT (id) DO NOTHING""",
                e.groupId(), e.accountId(), e.name(), issued.name(), AllGroup.isCreatedBy(e, false), e.accountId());
    }

    @EventHandler
    void on(GroupRenamed e) {
        writes.update("UPDATE rm_groups SET name = ? WHERE id = ?", e.newName(), e.groupId());
    }

    @EventHandler
    void on(GroupDeleted e) {
        writes.update("DELETE FROM rm_group_members WHERE group_id = ?", e.groupId());
        writes.update("DELETE FROM rm_groups WHERE id = ?", e.groupId());
        // A deleted group cannot stay an auto-group (jsonb '-' removes the matching array element; the '?'
        // operator would clash with JDBC placeholders, hence jsonb_exists).
        writes.update("UPDATE rm_users SET auto_groups = auto_groups - ?::text WHERE account_id = ? AND jsonb_exists(auto_groups, ?)",
                e.groupId(), e.accountId(), e.groupId());
        writes.update("""
                        UPDATE rm_setup_keys SET auto_groups = auto_groups - ?::text
                        WHERE account_id = ? AND jsonb_exists(auto_groups, ?)""",
                e.groupId(), e.accountId(), e.groupId());
    }

    @EventHandler
    void on(PeerAddedToGroup e) {
        writes.update(
                "INSERT INTO rm_group_members (group_id, peer_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                e.groupId(), e.peerId());
    }

    /** Memberships are this projection's table, so it drops them itself: a rebuild of groups alone stays right. */
    @EventHandler
    void on(PeerDeleted e) {
        writes.update("DELETE FROM rm_group_members WHERE peer_id = ?", e.peerId());
    }

    @EventHandler
    void on(PeerRemovedFromGroup e) {
        writes.update("DELETE FROM rm_group_members WHERE group_id = ? AND peer_id = ?", e.groupId(),
                e.peerId());
    }

    @EventHandler
    void on(PolicyCreated e) {
        upsertPolicy(e.accountId(), e.policyId(), e.definition());
    }

    @EventHandler
    void on(PolicyUpdated e) {
        upsertPolicy(e.accountId(), e.policyId(), e.definition());
    }

    @EventHandler
    void on(PolicyDeleted e) {
        writes.update("DELETE FROM rm_policies WHERE id = ?", e.policyId());
    }

    private void upsertPolicy(String accountId, String policyId, PolicyDefinition definition) {
        writes.update("""
                        INSERT INTO rm_policies (id, account_id, name, definition) VALUES (?, ?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, definition = EXCLUDED.definition""",
                policyId, accountId, definition.name(), Json.write(definition));
    }
}

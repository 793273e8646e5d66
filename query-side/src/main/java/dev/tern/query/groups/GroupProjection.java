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
import dev.tern.query.RebuildHeldWrites;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.TableWrites;
import dev.tern.query.jdbc.WriteBehind;
import java.util.List;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Groups, their explicit members, and the policies between them. A rebuild folds the memberships in memory
 * ({@link TableWrites}, {@link RebuildHeldWrites}): a long history adds and drops most of them again (peers come
 * and go), so only the final ones are written.
 */
@Component
@ProcessingGroup(QuerySideConfiguration.READ_MODEL)
public class GroupProjection implements RebuildHeldWrites {
    /** rm_group_members as its writes see it: deleted by group and by peer. */
    static final TableWrites.Shape MEMBERS = TableWrites.Shape.of("rm_group_members", List.of("group_id", "peer_id"),
            List.of("group_id", "peer_id"), List.of(), List.of("group_id", "peer_id"));

    private final JdbcTemplate jdbc;
    /** Held in one queue with every projection's while a rebuild replays ({@link WriteBehind}). */
    private final WriteBehind writes;
    private final TableWrites members;

    GroupProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
        this.members = new TableWrites(jdbc, MEMBERS);
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
        members.deleteWhere("group_id", e.groupId());
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
        members.insert(e.groupId(), e.peerId());
    }

    /** Memberships are this projection's table, so it drops them itself: a rebuild of groups alone stays right. */
    @EventHandler
    void on(PeerDeleted e) {
        members.deleteWhere("peer_id", e.peerId());
    }

    @EventHandler
    void on(PeerRemovedFromGroup e) {
        members.delete(List.of(e.groupId(), e.peerId()));
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

    @Override
    public void holdWrites() {
        members.fold();
    }

    /** Nothing to write before the end: no statement of the rebuild reads rm_group_members. */
    @Override
    public void flushHeldWrites() {
    }

    @Override
    public void finishHeldWrites() {
        members.writeFolded();
    }

    @Override
    public void stopHoldingWrites() {
        members.stopFolding();
    }
}

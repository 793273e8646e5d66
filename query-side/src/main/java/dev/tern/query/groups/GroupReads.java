package dev.tern.query.groups;

import static dev.tern.query.jdbc.Rows.first;

import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.query.AsOfScope;
import dev.tern.query.jdbc.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/**
 * Reads of the tables {@link GroupProjection} keeps: groups with their members (every peer of the account for
 * the All group), and policies. Scoped to one account: an id of another account is simply not found.
 */
@Component
public class GroupReads {
    /** What an as-of state answers for these reads ({@link AsOfScope}): in the orders the tables give them. */
    public interface AsOf {
        List<GroupView> groups();

        List<PolicyView> policies();
    }

    private final JdbcTemplate jdbc;

    public GroupReads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<GroupView> groups(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().groups();
        }
        return groupsWhere("g.account_id = ?", accountId);
    }

    public Optional<GroupView> group(String accountId, String groupId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().groups().stream().filter(g -> g.id().equals(groupId)).findFirst();
        }
        return first(groupsWhere("g.account_id = ? AND g.id = ?", accountId, groupId));
    }

    private record GroupRow(String id, String accountId, String name, GroupIssuer issued, boolean all) {
    }

    private List<GroupView> groupsWhere(String condition, Object... args) {
        List<GroupRow> rows = jdbc.query("SELECT g.id, g.account_id, g.name, g.issued, g.is_all FROM rm_groups g WHERE "
                + condition + " ORDER BY g.name, g.id", (rs, i) -> new GroupRow(rs.getString(1), rs.getString(2),
                rs.getString(3), GroupIssuer.valueOf(rs.getString(4)), rs.getBoolean(5)), args);
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, List<GroupView.PeerRef>> members = new HashMap<>();
        jdbc.query("""
                SELECT m.group_id, p.id, p.name FROM rm_group_members m
                JOIN rm_groups g ON g.id = m.group_id JOIN rm_peers p ON p.id = m.peer_id
                WHERE""" + " " + condition + " ORDER BY p.name, p.id", rs -> {
            members.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new GroupView.PeerRef(rs.getString(2), rs.getString(3)));
        }, args);
        List<GroupView.PeerRef> everyPeer = rows.stream().anyMatch(GroupRow::all)
                ? jdbc.query("SELECT id, name FROM rm_peers WHERE account_id = ? ORDER BY name, id",
                (rs, i) -> new GroupView.PeerRef(rs.getString(1), rs.getString(2)), rows.get(0).accountId())
                : List.of();
        return rows.stream().map(g -> new GroupView(g.id(), g.accountId(), g.name(), g.issued(), g.all(),
                g.all() ? everyPeer : List.copyOf(members.getOrDefault(g.id(), List.of())))).toList();
    }

    public List<PolicyView> policies(String accountId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().policies();
        }
        return jdbc.query("SELECT id, account_id, definition FROM rm_policies WHERE account_id = ? ORDER BY name, id",
                POLICY, accountId);
    }

    public Optional<PolicyView> policy(String accountId, String policyId) {
        Optional<AsOf> asOf = AsOfScope.reads(AsOf.class, accountId);
        if (asOf.isPresent()) {
            return asOf.get().policies().stream().filter(p -> p.id().equals(policyId)).findFirst();
        }
        return first(jdbc.query("SELECT id, account_id, definition FROM rm_policies WHERE account_id = ? AND id = ?",
                POLICY, accountId, policyId));
    }

    private static final RowMapper<PolicyView> POLICY = (rs, i) -> new PolicyView(rs.getString(1), rs.getString(2),
            Json.read(rs.getString(3), PolicyDefinition.class));
}

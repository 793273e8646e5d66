package dev.tern.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.ReadModelTestBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The audit page at a million events (docs/benchmarks.md, issue 12): each filter's page must be able to use an
 * index that holds the filter, and a page deep in the history must skip its offset over index keys alone.
 * Sequential scans are switched off so that the plan shows what PostgreSQL can do on a large table, not what it
 * prefers on the test's small one (where any index on the account will do for a count, so counts are left to the
 * benchmark).
 */
class AuditQueryPlanTest extends ReadModelTestBase {

    @Test
    void initiatorFilterUsesItsIndex() {
        String where = where(new AuditQuery(null, null, "some-user", null, null, 0, 100), new ArrayList<>());
        assertThat(plan(AuditReads.pageSql(where), "acct", "some-user", 100, 0))
                .contains("rm_audit_account_initiator_idx");
    }

    @Test
    void activityCodeFilterUsesItsIndex() {
        String where = where(new AuditQuery(null, null, null, null, "peer.rename", 0, 100), new ArrayList<>());
        assertThat(plan(AuditReads.pageSql(where), "acct", "peer.rename", 100, 0))
                .contains("rm_audit_account_activity_idx");
    }

    @Test
    void deepPageSkipsItsOffsetOverIndexKeysOnly() {
        String where = where(new AuditQuery(null, null, null, null, null, 200_000, 100), new ArrayList<>());
        assertThat(plan(AuditReads.pageSql(where), "acct", 100, 200_000))
                .contains("Index Only Scan using rm_audit_account_idx");
    }

    private static String where(AuditQuery query, List<Object> args) {
        return AuditReads.where("acct", query, args);
    }

    private String plan(String sql, Object... parameters) {
        return planWithoutSequentialScans(sql, parameters);
    }
}

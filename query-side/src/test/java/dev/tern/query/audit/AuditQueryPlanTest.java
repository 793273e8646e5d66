package dev.tern.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.ReadModelTestBase;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The audit page at a million events (docs/benchmarks.md, issue 12): each filter's page must be able to use an
 * index that holds the filter, a filtered page deep in the history must skip its offset over index keys alone, and
 * the unfiltered page and its total read account_seq's index (V230) at any depth.
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
    void deepFilteredPageSkipsItsOffsetOverIndexKeysOnly() {
        String where = where(new AuditQuery(null, null, null, null, "peer.rename", 20_000, 100), new ArrayList<>());
        assertThat(plan(AuditReads.pageSql(where), "acct", "peer.rename", 100, 20_000))
                .contains("Index Only Scan using rm_audit_account_activity_idx");
    }

    /** V230: the unfiltered total is the account's highest account_seq, one index probe, not a count of its keys. */
    @Test
    void unfilteredTotalIsOneIndexProbe() {
        assertThat(plan(AuditReads.SEQUENCE_TOTAL_SQL, "acct"))
                .contains("Index Only Scan Backward using rm_audit_account_seq_idx")
                .contains("Limit")
                .doesNotContain("Aggregate");
    }

    /** V230: an unfiltered page at any depth is an index range of its own rows; no offset is skipped. */
    @Test
    void unfilteredPageAtAnyDepthIsAnIndexRangeOfItsRows() {
        assertThat(plan(AuditReads.SEQUENCE_PAGE_SQL, "acct", 200_000L, 200_100L))
                .contains("Index Scan Backward using rm_audit_account_seq_idx")
                .contains("account_seq >").contains("account_seq <=")
                .doesNotContain("Sort").doesNotContain("Seq Scan");
    }

    /**
     * The processor's row insert finds its event's global index, the row's predecessor in the account and the rows
     * after it (moved up when the row comes late) through indexes, never by a scan: it runs once per audit row.
     */
    @Test
    void liveInsertLooksUpItsNeighboursByIndex() {
        String plan = plan(HeldAuditRows.INSERT, "event-id", 10L, "acct", 0, 0,
                0, "acct", Timestamp.from(Instant.EPOCH), "Group created", "group.add", "u", "U", "u@x", "t", "{}",
                "acct", 0);
        assertThat(plan).doesNotContain("Seq Scan").contains("rm_audit_account_idx")
                .contains("domain_event_entry_event_identifier_key")
                .as("the neighbours are index conditions, not the account's rows filtered")
                .contains("AND (ROW(global_index, sub) > ROW(").contains("AND (ROW(global_index, sub) < ROW(");
    }

    private static String where(AuditQuery query, List<Object> args) {
        return AuditReads.where("acct", query, args);
    }

    private String plan(String sql, Object... parameters) {
        return planWithoutSequentialScans(sql, parameters);
    }
}

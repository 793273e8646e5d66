package dev.tern.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.ReadModelTestBase;
import dev.tern.query.jdbc.CopyRows;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A rebuild into an empty audit trail: offline ({@code tern-server replay}) it drops rm_audit's secondary indexes and
 * builds them again at its end, in its transaction; beside a running server it leaves them (dropping one would lock
 * the audit's readers out until the rebuild commits).
 */
class HeldAuditRowsTest extends ReadModelTestBase {
    @Autowired
    PlatformTransactionManager transactions;

    private List<String> indexes() {
        return jdbc.queryForList("SELECT pg_get_indexdef(indexrelid) FROM pg_index"
                + " WHERE indrelid = 'rm_audit'::regclass ORDER BY 1", String.class);
    }

    /** Rebuilds two rows into an emptied rm_audit (rolled back) and answers the indexes seen after the first flush. */
    private List<String> rebuildIntoEmptyTrail(boolean offline, List<String> before) {
        List<String>[] duringRebuild = new List[1];
        new TransactionTemplate(transactions).executeWithoutResult(status -> {
            status.setRollbackOnly();
            jdbc.update("DELETE FROM rm_audit");
            HeldAuditRows rows = new HeldAuditRows(jdbc, offline);
            rows.hold();
            try {
                Timestamp at = Timestamp.from(Instant.parse("2030-01-01T00:00:00Z"));
                rows.rebuilt(9_000_000_001L, 0, "acct-held", at, "Peer renamed", "peer.rename", "u1", "Ann",
                        "ann@example.com", "p1", "{}", 1);
                rows.flush();
                CopyRows.endOpenCopy();
                duringRebuild[0] = indexes();
                rows.rebuilt(9_000_000_002L, 0, "acct-held", at, "Peer renamed", "peer.rename", "u1", "Ann",
                        "ann@example.com", "p1", "{}", 2);
                rows.finish();
                assertThat(indexes()).as("at the rebuild's end").containsExactlyElementsOf(before);
                assertThat(jdbc.queryForObject("SELECT count(*) FROM rm_audit WHERE account_id = 'acct-held'",
                        Long.class)).isEqualTo(2);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            } finally {
                rows.stop();
            }
        });
        // CREATE INDEX records the table's size outside the transaction (two rows here): the planner would think
        // the shared rm_audit tiny until it is analysed again (AuditQueryPlanTest's plans changed)
        jdbc.execute("ANALYZE rm_audit");
        assertThat(indexes()).as("after the rollback").containsExactlyElementsOf(before);
        return duringRebuild[0];
    }

    @Test
    void anOfflineRebuildIntoAnEmptyTrailBuildsTheSecondaryIndexesOnceAtItsEnd() {
        List<String> before = indexes();
        assertThat(before).hasSizeGreaterThan(5);
        assertThat(rebuildIntoEmptyTrail(true, before)).singleElement().asString().contains("rm_audit_pkey");
    }

    @Test
    void aRebuildBesideARunningServerKeepsEveryIndex() {
        List<String> before = indexes();
        assertThat(rebuildIntoEmptyTrail(false, before)).containsExactlyElementsOf(before);
    }
}

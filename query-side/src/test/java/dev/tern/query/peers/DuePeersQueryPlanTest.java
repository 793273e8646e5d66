package dev.tern.query.peers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.ReadModelTestBase;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The expiry sweeper runs both due-peer queries every few seconds over every account: they must be able to use
 * their partial indexes rather than read all of rm_peers. Sequential scans are switched off so that the plan
 * shows what PostgreSQL can do on a large table, not what it prefers on the test's small one.
 */
class DuePeersQueryPlanTest extends ReadModelTestBase {

    @Test
    void loginQueryUsesItsPartialIndex() {
        assertThat(plan(PeerReads.LOGIN_DUE, 1)).contains("rm_peers_login_expiry_due_idx");
    }

    @Test
    void inactivityQueryUsesItsPartialIndex() {
        assertThat(plan(PeerReads.INACTIVITY_DUE, 2)).contains("rm_peers_inactivity_expiry_due_idx");
    }

    @Test
    void ephemeralQueryUsesItsPartialIndex() {
        assertThat(plan(PeerReads.EPHEMERAL_GONE, 2)).contains("rm_peers_ephemeral_idx");
    }

    private String plan(String sql, int timestampParameters) {
        Object[] now = new Object[timestampParameters];
        Arrays.fill(now, Timestamp.from(Instant.now()));
        return planWithoutSequentialScans(sql, now);
    }
}

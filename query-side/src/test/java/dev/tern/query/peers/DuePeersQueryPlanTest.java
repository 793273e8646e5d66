package dev.tern.query.peers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.ReadModelTestBase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.ConnectionCallback;

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
        return jdbc.execute((ConnectionCallback<String>) connection -> {
            try (Statement session = connection.createStatement()) {
                session.execute("SET enable_seqscan = off");
            }
            try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql)) {
                for (int i = 1; i <= timestampParameters; i++) {
                    explain.setTimestamp(i, Timestamp.from(Instant.now()));
                }
                List<String> lines = new ArrayList<>();
                try (ResultSet rs = explain.executeQuery()) {
                    while (rs.next()) {
                        lines.add(rs.getString(1));
                    }
                }
                return String.join("\n", lines);
            } finally {
                try (Statement session = connection.createStatement()) {
                    session.execute("RESET enable_seqscan");
                }
            }
        });
    }
}

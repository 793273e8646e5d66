package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.audit.AuditReads;
import dev.tern.query.groups.GroupReads;
import dev.tern.query.peers.PeerReads;
import dev.tern.query.setupkeys.SetupKeyReads;
import dev.tern.query.users.UserReads;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real read-model processor (tracking, JDBC token store) over a real JDBC event store on embedded
 * PostgreSQL. The context, and so the database, is shared by the test classes: each test uses fresh accounts.
 */
@SpringBootTest(classes = QuerySideTestApplication.class)
public abstract class ReadModelTestBase {
    @Autowired
    protected EventStore eventStore;
    @Autowired
    protected UserReads userReads;
    @Autowired
    protected SetupKeyReads setupKeyReads;
    @Autowired
    protected GroupReads groupReads;
    @Autowired
    protected PeerReads peerReads;
    @Autowired
    protected AuditReads auditReads;
    @Autowired
    protected ReadYourWrites readYourWrites;
    @Autowired
    protected JdbcTemplate jdbc;

    protected AccountHistory newAccount() {
        return AccountHistory.create(eventStore);
    }

    protected void awaitProjection() {
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30)))
                .as("read model caught up with the event store").isTrue();
    }

    /**
     * PostgreSQL's plan for {@code sql} with these parameters, sequential scans switched off: what it can do on a
     * large table, not what it prefers on a test's small one.
     */
    protected String planWithoutSequentialScans(String sql, Object... parameters) {
        return jdbc.execute((ConnectionCallback<String>) connection -> {
            try (Statement session = connection.createStatement()) {
                session.execute("SET enable_seqscan = off");
            }
            try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql)) {
                for (int i = 0; i < parameters.length; i++) {
                    explain.setObject(i + 1, parameters[i]);
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

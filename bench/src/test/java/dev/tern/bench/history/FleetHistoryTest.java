package dev.tern.bench.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.ReadModelRebuild;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The benchmark's history generator at a small size: the events it hands on are stored as Axon stores them, replay
 * into every read model through the rebuild, leave the fleet the generator believes it built, and come out the same
 * for the same seed (the cache of a generated history relies on it).
 */
class FleetHistoryTest {
    private static final long EVENTS = 2_000;

    @TempDir
    Path dataDir;

    @Test
    void generatedHistoryIsStoredAndReplaysIntoEveryReadModel() throws Exception {
        try (ConfigurableApplicationContext context = HistoryBench.boot(dataDir)) {
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            FleetHistory.Summary summary = HistoryBench.write(context, EVENTS, 7);

            Long stored = jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
            assertThat(stored).isEqualTo(summary.events()).isGreaterThanOrEqualTo(EVENTS);
            assertThat(summary.eventsByType().values().stream().mapToLong(Long::longValue).sum())
                    .isEqualTo(summary.events());
            assertThat(summary.eventsByType()).containsKeys("AccountCreated", "UserCreated", "GroupCreated",
                    "SetupKeyCreated", "PolicyCreated", "PolicyUpdated", "PeerRegistered", "PeerAddedToGroup",
                    "PeerRenamed", "PeerDeleted", "UserSignedIn", "UserSignInFailed", "DnsRecordCreated",
                    "RouteCreated");
            assertThat(summary.rejected()).as("commands the accounts refused").isLessThan(summary.commands() / 50);
            assertThat(Duration.between(summary.first(), summary.last())).isGreaterThan(Duration.ofDays(300));

            ReadModelRebuild.Result rebuilt = context.getBean(ReadModelRebuild.class)
                    .rebuild(Optional.empty(), progress -> { });
            assertThat(rebuilt.events()).isEqualTo(summary.events());
            summary.peersByAccount().forEach((accountId, peers) -> assertThat(jdbc.queryForObject(
                    "SELECT count(*) FROM rm_peers WHERE account_id = ?", Integer.class, accountId))
                    .as("peers of %s", accountId).isEqualTo(peers));
            summary.usersByAccount().forEach((accountId, users) -> assertThat(jdbc.queryForList(
                    "SELECT id FROM rm_users WHERE account_id = ?", String.class, accountId))
                    .as("users of %s", accountId).containsExactlyInAnyOrderElementsOf(users));
            assertThat(jdbc.queryForObject("SELECT count(DISTINCT global_index) FROM rm_audit", Long.class))
                    .as("events with an audit row").isGreaterThan(summary.events() * 9 / 10);
            Instant newest = jdbc.queryForObject("SELECT max(occurred_at) FROM rm_audit", java.sql.Timestamp.class)
                    .toInstant();
            assertThat(newest).isEqualTo(summary.last());
        }
    }

    @Test
    void sameSeedWritesTheSameHistory() {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        List<String> otherSeed = new ArrayList<>();
        FleetHistory.generate(500, 1, batch -> batch.forEach(e -> first.add(e.getAggregateIdentifier() + " "
                + e.getSequenceNumber() + " " + e.getTimestamp() + " " + e.getPayload())));
        FleetHistory.generate(500, 1, batch -> batch.forEach(e -> second.add(e.getAggregateIdentifier() + " "
                + e.getSequenceNumber() + " " + e.getTimestamp() + " " + e.getPayload())));
        FleetHistory.generate(500, 2, batch -> batch.forEach(e -> otherSeed.add(e.getAggregateIdentifier() + " "
                + e.getSequenceNumber() + " " + e.getTimestamp() + " " + e.getPayload())));
        assertThat(second).isEqualTo(first).hasSizeGreaterThanOrEqualTo(500);
        assertThat(otherSeed).isNotEqualTo(first);
    }
}

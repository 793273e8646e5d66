package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.tern.query.peers.PeerStatusStore;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

class BackgroundPeerStatusWriterTest {
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    /** What reached the "database", in order. */
    record Write(String peerId, boolean connected, Instant at, String ip) {
    }

    final List<Write> written = new CopyOnWriteArrayList<>();
    volatile boolean databaseDown;
    final CountDownLatch hang = new CountDownLatch(1);
    volatile boolean hung;

    final PeerStatusStore store = new PeerStatusStore() {
        @Override
        public void markConnected(String accountId, String peerId, Instant at, String connectionIp) {
            reach();
            written.add(new Write(peerId, true, at, connectionIp));
        }

        @Override
        public void markDisconnected(String accountId, String peerId, Instant at) {
            reach();
            written.add(new Write(peerId, false, at, null));
        }

        private void reach() {
            if (hung) {
                try {
                    hang.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (databaseDown) {
                throw new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection",
                        new SQLTransientConnectionException("tern - Connection is not available"));
            }
        }
    };
    BackgroundPeerStatusWriter writer;

    @AfterEach
    void close() {
        hang.countDown();
        if (writer != null) {
            writer.close();
        }
    }

    @Test
    void aHungDatabaseNeverHoldsUpTheCallerAndItsStatusesAreWrittenWhenItAnswers() {
        writer = new BackgroundPeerStatusWriter(store, 1000);
        hung = true;
        SyncSessions sessions = new SyncSessions(writer.asStore(), java.time.Clock.systemUTC());
        // Before, SyncSessions.opened wrote on the Sync's call thread: with the database hung it never returned.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int i = 0; i < 100; i++) {
                writer.markConnected("acc", "peer-" + i, T0.plusSeconds(i), "192.0.2.1");
            }
            sessions.opened(new FakeSession("peer-x"));
        });
        assertThat(written).isEmpty();

        hung = false;
        hang.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> written.size() == 101);
        assertThat(written).extracting(Write::peerId).contains("peer-0", "peer-99", "peer-x");
    }

    @Test
    void whileTheDatabaseIsDownOnlyTheNewestStatusOfEachPeerIsKeptAndWrittenOnceItIsBack() {
        databaseDown = true;
        writer = new BackgroundPeerStatusWriter(store, 1000);
        writer.markConnected("acc", "a", T0, "192.0.2.1");
        writer.markDisconnected("acc", "a", T0.plusSeconds(1));
        writer.markConnected("acc", "a", T0.plusSeconds(2), null); // same address as before: the driver keeps it
        writer.markConnected("acc", "b", T0.plusSeconds(3), "192.0.2.2");
        writer.markDisconnected("acc", "b", T0.plusSeconds(4));
        assertThat(writer.pendingCount()).isEqualTo(2);

        databaseDown = false;
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.pendingCount() == 0);
        assertThat(written).containsExactlyInAnyOrder(
                new Write("a", true, T0.plusSeconds(2), "192.0.2.1"),
                new Write("b", false, T0.plusSeconds(4), null));
    }

    @Test
    void theQueueIsBoundedAndDropsNewPeersBeyondItsSize() {
        databaseDown = true;
        writer = new BackgroundPeerStatusWriter(store, 2);
        writer.markConnected("acc", "a", T0, "192.0.2.1");
        writer.markConnected("acc", "b", T0, "192.0.2.2");
        writer.markConnected("acc", "c", T0, "192.0.2.3");
        writer.markDisconnected("acc", "a", T0.plusSeconds(1)); // a peer already queued is still updated

        assertThat(writer.pendingCount()).isEqualTo(2);
        assertThat(writer.droppedCount()).isEqualTo(1);
        databaseDown = false;
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.pendingCount() == 0);
        assertThat(written).containsExactlyInAnyOrder(
                new Write("a", false, T0.plusSeconds(1), null),
                new Write("b", true, T0, "192.0.2.2"));
    }

    record FakeSession(String peerId) implements SyncSessions.Session {
        @Override
        public dev.tern.projector.NetworkMapProjector.PeerRef peer() {
            return new dev.tern.projector.NetworkMapProjector.PeerRef("acc", peerId);
        }

        @Override
        public String remoteIp() {
            return "192.0.2.9";
        }

        @Override
        public void terminate(io.grpc.Status status) {
        }

        @Override
        public void resendConfig() {
        }
    }
}

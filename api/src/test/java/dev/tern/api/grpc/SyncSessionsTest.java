package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.grpc.SyncStreamTest.RecordingStatusStore;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import io.grpc.Status;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** Connection status follows the set of open streams per peer, whatever order they open and close in. */
class SyncSessionsTest {
    private final RecordingStatusStore status = new RecordingStatusStore();
    private final SyncSessions sessions = new SyncSessions(status, Clock.systemUTC());
    private final PeerRef laptop = new PeerRef("acc", "laptop");
    private final PeerRef phone = new PeerRef("acc", "phone");
    private final PeerRef tablet = new PeerRef("acc", "tablet");

    @Test
    void aReconnectingPeerStaysConnectedWhenItsOldStreamClosesLate() {
        FakeSession old = new FakeSession(laptop, "198.51.100.1");
        FakeSession fresh = new FakeSession(laptop, "198.51.100.2");
        sessions.opened(old);
        sessions.opened(fresh);
        assertThat(old.endedWith).isEqualTo(SyncSessions.REPLACED);

        sessions.closed(old);
        assertThat(status.calls).doesNotContain("disconnected laptop");
        assertThat(sessions.openCount(laptop)).isEqualTo(1);

        sessions.closed(fresh);
        sessions.closed(fresh);
        assertThat(status.calls).filteredOn("disconnected laptop"::equals).hasSize(1);
        assertThat(sessions.openCount(laptop)).isZero();
    }

    @Test
    void aPeerHasOneStreamEachNewOneReplacesTheOldWithoutADisconnectInBetween() {
        java.util.List<FakeSession> streams = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            FakeSession stream = new FakeSession(laptop, "198.51.100.1");
            streams.add(stream);
            sessions.opened(stream);
            assertThat(sessions.openCount(laptop)).isEqualTo(1);
        }
        assertThat(streams.subList(0, 299)).allMatch(s -> SyncSessions.REPLACED.equals(s.endedWith));
        assertThat(streams.get(299).endedWith).isNull();
        assertThat(status.calls).doesNotContain("disconnected laptop");
        // another peer's stream is not touched
        FakeSession phoneStream = new FakeSession(phone, null);
        sessions.opened(phoneStream);
        assertThat(streams.get(299).endedWith).isNull();
        assertThat(sessions.openCount(laptop)).isEqualTo(1);
    }

    @Test
    void refreshingLastSeenTouchesOnlyPeersWithAnOpenStream() {
        FakeSession laptopStream = new FakeSession(laptop, "198.51.100.1");
        FakeSession phoneStream = new FakeSession(phone, "198.51.100.9");
        sessions.opened(laptopStream);
        sessions.opened(phoneStream);
        sessions.closed(phoneStream);
        status.calls.clear();

        sessions.refreshLastSeen();

        assertThat(status.calls).containsExactly("connected laptop from 198.51.100.1");
    }

    @Test
    void aConfigRefreshReachesEveryOpenStreamAndNoClosedOne() {
        FakeSession first = new FakeSession(laptop, null);
        FakeSession second = new FakeSession(phone, null);
        FakeSession closed = new FakeSession(tablet, null);
        sessions.opened(first);
        sessions.opened(second);
        sessions.opened(closed);
        sessions.closed(closed);

        sessions.resendConfigs();

        assertThat(first.configsResent).isEqualTo(1);
        assertThat(second.configsResent).isEqualTo(1);
        assertThat(closed.configsResent).isZero();
    }

    @Test
    void terminatingAPeerEndsAllItsStreamsAndNoOthers() {
        FakeSession a = new FakeSession(laptop, null);
        FakeSession b = new FakeSession(laptop, null);
        FakeSession c = new FakeSession(phone, null);
        sessions.opened(a);
        sessions.opened(b);
        sessions.opened(c);

        sessions.terminate(laptop, Status.OK);

        assertThat(a.endedWith).as("replaced by b").isEqualTo(SyncSessions.REPLACED);
        assertThat(b.endedWith).isEqualTo(Status.OK);
        assertThat(c.endedWith).isNull();
        assertThat(sessions.openCount(laptop)).isZero();
        assertThat(sessions.openCount(phone)).isEqualTo(1);

        sessions.terminateAll(Status.UNAVAILABLE);
        assertThat(c.endedWith).isEqualTo(Status.UNAVAILABLE);
        assertThat(status.calls).contains("disconnected laptop", "disconnected phone");
    }

    @Test
    void aFailingStatusStoreDoesNotBreakTheStreams() {
        SyncSessions failing = new SyncSessions(new RecordingStatusStore() {
            @Override
            public void markConnected(String accountId, String peerId, java.time.Instant at, String ip) {
                throw new IllegalStateException("database down");
            }
        }, Clock.systemUTC());
        FakeSession session = new FakeSession(laptop, null);
        failing.opened(session);
        assertThat(failing.openCount(laptop)).isEqualTo(1);
        failing.closed(session);
        assertThat(failing.openCount(laptop)).isZero();
    }

    /** A stream that ends by telling the registry, as SyncStream does. */
    private final class FakeSession implements SyncSessions.Session {
        private final PeerRef peer;
        private final String ip;
        Status endedWith;
        int configsResent;

        FakeSession(PeerRef peer, String ip) {
            this.peer = peer;
            this.ip = ip;
        }

        @Override
        public PeerRef peer() {
            return peer;
        }

        @Override
        public String remoteIp() {
            return ip;
        }

        @Override
        public void resendConfig() {
            configsResent++;
        }

        @Override
        public void terminate(Status status) {
            if (endedWith == null) {
                endedWith = status;
                sessions.closed(this);
            }
        }
    }
}

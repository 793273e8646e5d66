package dev.tern.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.users.TokenUsageStore;
import dev.tern.testsupport.time.SettableClock;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenUsageRecorderTest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    record Write(String tokenId, Instant at) {
    }

    final List<Write> writes = new ArrayList<>();
    final List<Runnable> queued = new ArrayList<>();
    boolean storeFails;

    final TokenUsageStore store = (tokenId, at) -> {
        if (storeFails) {
            throw new IllegalStateException("database down");
        }
        writes.add(new Write(tokenId, at));
    };
    final SettableClock clock = new SettableClock(T0);
    /** Writes run only when the test drains the queue: the request thread never writes. */
    final TokenUsageRecorder recorder = new TokenUsageRecorder(store, clock, queued::add);

    void drain() {
        List<Runnable> tasks = List.copyOf(queued);
        queued.clear();
        tasks.forEach(Runnable::run);
    }

    @Test
    void writesAtMostOncePerTokenPerMinute() {
        recorder.used("a");
        clock.set(T0.plusSeconds(30));
        recorder.used("a");
        clock.set(T0.plusSeconds(59));
        recorder.used("a");
        recorder.used("b");
        drain();
        assertThat(writes).containsExactly(new Write("a", T0), new Write("b", T0.plusSeconds(59)));

        clock.set(T0.plusSeconds(60));
        recorder.used("a");
        recorder.used("b");
        drain();
        assertThat(writes).endsWith(new Write("a", T0.plusSeconds(60))).hasSize(3);

        clock.set(T0.plusSeconds(119));
        recorder.used("b");
        drain();
        assertThat(writes).endsWith(new Write("b", T0.plusSeconds(119))).hasSize(4);
    }

    @Test
    void theRequestThreadOnlyQueuesTheWrite() {
        recorder.used("a");
        assertThat(writes).isEmpty();
        assertThat(queued).hasSize(1);
        drain();
        assertThat(writes).containsExactly(new Write("a", T0));
    }

    @Test
    void aFailedWriteIsRetriedOnTheNextUse() {
        storeFails = true;
        recorder.used("a");
        drain();
        assertThat(writes).isEmpty();

        storeFails = false;
        clock.set(T0.plusSeconds(1));
        recorder.used("a");
        drain();
        assertThat(writes).containsExactly(new Write("a", T0.plusSeconds(1)));
    }

    @Test
    void concurrentRequestsOfOneTokenWriteOnce() throws Exception {
        List<Write> concurrentWrites = java.util.Collections.synchronizedList(new ArrayList<>());
        TokenUsageRecorder direct = new TokenUsageRecorder((id, at) -> concurrentWrites.add(new Write(id, at)),
                Clock.fixed(T0, ZoneOffset.UTC), Runnable::run);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                for (int j = 0; j < 1000; j++) {
                    direct.used("a");
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(concurrentWrites).containsExactly(new Write("a", T0));
    }

    @Test
    void theBackgroundWriterFinishesQueuedWritesOnShutdown() throws Exception {
        List<Write> written = java.util.Collections.synchronizedList(new ArrayList<>());
        TokenUsageRecorder background = new TokenUsageRecorder((id, at) -> written.add(new Write(id, at)));
        background.used("a");
        background.used("b");
        background.destroy();
        assertThat(written).extracting(Write::tokenId).containsExactly("a", "b");
        background.used("c"); // after shutdown: dropped, never thrown at the request
        assertThat(written).hasSize(2);
    }
}

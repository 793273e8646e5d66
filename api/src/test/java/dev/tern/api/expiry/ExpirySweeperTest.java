package dev.tern.api.expiry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.api.commands.CommandService;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.ExpirePeerLogin;
import dev.tern.events.meta.Actor;
import dev.tern.events.meta.EventMetadata;
import dev.tern.events.values.PeerExpiry;
import dev.tern.query.peers.DuePeer;
import dev.tern.query.peers.ExpiryReads;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.junit.jupiter.api.Test;

/** The sweeper's own behaviour, with the read model and the command gateway replaced by fakes. */
class ExpirySweeperTest {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    /** Due peers per cause, and the instants the sweeper asked for. */
    final Map<PeerExpiry, List<DuePeer>> due = new ConcurrentHashMap<>();
    final List<Instant> askedAt = new CopyOnWriteArrayList<>();
    /** What the fake account answers per peer id: true (expired), false (not due), or an exception. */
    final Map<String, Object> answers = new ConcurrentHashMap<>();
    final List<CommandMessage<?>> sent = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    final ExpiryReads reads = (ExpiryReads) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{ExpiryReads.class}, (proxy, method, args) -> {
                if (!method.getName().equals("peersDueForExpiry")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                askedAt.add((Instant) args[1]);
                Object answer = answers.get("query:" + args[0]);
                if (answer instanceof RuntimeException failure) {
                    throw failure;
                }
                return due.getOrDefault((PeerExpiry) args[0], List.of());
            });

    CommandGateway gateway(Runnable whileHandling) {
        return (CommandGateway) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{CommandGateway.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("sendAndWait")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    CommandMessage<?> message = (CommandMessage<?>) args[0];
                    sent.add(message);
                    whileHandling.run();
                    Object answer = answers.getOrDefault(((ExpirePeerLogin) message.getPayload()).peerId(), true);
                    if (answer instanceof RuntimeException failure) {
                        throw failure;
                    }
                    return answer;
                });
    }

    ExpirySweeper sweeper(Runnable whileHandling, Duration interval) {
        return sweeper(whileHandling, interval, meters);
    }

    ExpirySweeper sweeper(Runnable whileHandling, Duration interval, MeterRegistry to) {
        CommandService commands = new CommandService(gateway(whileHandling), timeout -> true);
        return new ExpirySweeper(reads, commands, to, Clock.fixed(NOW, ZoneOffset.UTC), interval);
    }

    double expiries(PeerExpiry cause) {
        return meters.get(ExpirySweeper.EXPIRIES_METRIC).tag("cause", cause.wireName()).counter().count();
    }

    @Test
    void sendsOneSystemCommandPerDuePeerAndCountsWhatTheAccountExpired() {
        due.put(PeerExpiry.LOGIN, List.of(new DuePeer("acc-1", "p1"), new DuePeer("acc-2", "p2")));
        due.put(PeerExpiry.INACTIVITY, List.of(new DuePeer("acc-1", "p3")));
        answers.put("p2", false); // renewed meanwhile: the account turns it down

        assertThat(sweeper(() -> { }, Duration.ofSeconds(10)).sweep()).isEqualTo(2);

        assertThat(askedAt).containsExactly(NOW, NOW);
        assertThat(sent).extracting(m -> (Object) m.getPayload()).containsExactly(
                new ExpirePeerLogin("acc-1", "p1", PeerExpiry.LOGIN),
                new ExpirePeerLogin("acc-2", "p2", PeerExpiry.LOGIN),
                new ExpirePeerLogin("acc-1", "p3", PeerExpiry.INACTIVITY));
        assertThat(sent).allSatisfy(m -> {
            assertThat(Actor.fromMetadata(m.getMetaData())).isEqualTo(Actor.SYSTEM);
            assertThat((String) m.getMetaData().get(EventMetadata.CORRELATION_ID)).isNotBlank();
        });
        assertThat(sent).extracting(m -> m.getMetaData().get(EventMetadata.CORRELATION_ID))
                .doesNotHaveDuplicates();
        assertThat(expiries(PeerExpiry.LOGIN)).isEqualTo(1);
        assertThat(expiries(PeerExpiry.INACTIVITY)).isEqualTo(1);
    }

    @Test
    void prometheusShowsTheCounterPerCause() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        due.put(PeerExpiry.INACTIVITY, List.of(new DuePeer("acc", "p1"), new DuePeer("acc", "p2")));
        sweeper(() -> { }, Duration.ofSeconds(10), prometheus).sweep();
        assertThat(prometheus.scrape())
                .contains("tern_peer_login_expiries_total{cause=\"inactivity\"} 2.0")
                .contains("tern_peer_login_expiries_total{cause=\"login\"} 0.0");
    }

    @Test
    void aFailingCommandDoesNotStopTheRun() {
        due.put(PeerExpiry.LOGIN, List.of(new DuePeer("acc", "gone"), new DuePeer("acc", "broken"),
                new DuePeer("acc", "fine")));
        answers.put("gone", CommandRejected.notFound("peer gone not found"));
        answers.put("broken", new IllegalStateException("database unavailable"));

        assertThat(sweeper(() -> { }, Duration.ofSeconds(10)).sweep()).isEqualTo(1);
        assertThat(sent).hasSize(3);
        assertThat(expiries(PeerExpiry.LOGIN)).isEqualTo(1);
    }

    @Test
    void runsNeverOverlap() throws Exception {
        due.put(PeerExpiry.LOGIN, List.of(new DuePeer("acc", "p1"), new DuePeer("acc", "p2")));
        AtomicInteger inside = new AtomicInteger();
        Set<Integer> concurrency = Collections.synchronizedSet(new HashSet<>());
        ExpirySweeper sweeper = sweeper(() -> {
            concurrency.add(inside.incrementAndGet());
            sleep(20);
            inside.decrementAndGet();
        }, Duration.ofSeconds(10));
        List<Thread> threads = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < 4; i++) {
            Thread thread = new Thread(() -> {
                waitFor(start);
                sweeper.sweep();
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertThat(sent).hasSize(8);
        assertThat(concurrency).containsExactly(1);
    }

    @Test
    void aFailedQueryLeavesTheOtherCauseAndTheNextRunsAlone() {
        answers.put("query:" + PeerExpiry.LOGIN, new IllegalStateException("read model unavailable"));
        due.put(PeerExpiry.INACTIVITY, List.of(new DuePeer("acc", "p1")));
        ExpirySweeper sweeper = sweeper(() -> { }, Duration.ofMillis(20));
        sweeper.start();
        try {
            assertThat(sweeper.isRunning()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> askedAt.size() >= 3);
        } finally {
            sweeper.stop();
        }
        assertThat(sweeper.isRunning()).isFalse();
        int asked = askedAt.size();
        sleep(100);
        assertThat(askedAt).hasSize(asked);
        assertThat(sent).as("the inactivity query ran in every run").hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(m -> assertThat(m.getPayload())
                        .isEqualTo(new ExpirePeerLogin("acc", "p1", PeerExpiry.INACTIVITY)));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

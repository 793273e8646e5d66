package dev.tern.api.expiry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.commands.CommandService;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.meta.Actor;
import dev.tern.query.peers.DuePeer;
import dev.tern.query.peers.ExpiryReads;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.junit.jupiter.api.Test;

/** The ephemeral-peer sweeper's own behaviour, with the read model and the command gateway replaced by fakes. */
class EphemeralPeerSweeperTest {
    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    static final Duration TTL = Duration.ofMinutes(10);

    List<DuePeer> gone = List.of();
    RuntimeException queryFailure;
    final List<Object[]> asked = new CopyOnWriteArrayList<>();
    /** Peer ids the fake account refuses to delete, with the failure. */
    final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();
    final List<CommandMessage<?>> sent = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    final ExpiryReads reads = (ExpiryReads) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{ExpiryReads.class}, (proxy, method, args) -> {
                if (!method.getName().equals("ephemeralPeersGoneFor")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                asked.add(args);
                if (queryFailure != null) {
                    throw queryFailure;
                }
                return gone;
            });

    final CommandGateway gateway = (CommandGateway) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[]{CommandGateway.class}, (proxy, method, args) -> {
                if (!method.getName().equals("sendAndWait")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                CommandMessage<?> message = (CommandMessage<?>) args[0];
                sent.add(message);
                RuntimeException failure = failures.get(((DeletePeer) message.getPayload()).peerId());
                if (failure != null) {
                    throw failure;
                }
                return null;
            });

    EphemeralPeerSweeper sweeper() {
        return new EphemeralPeerSweeper(reads, new CommandService(gateway, timeout -> true), meters,
                Clock.fixed(NOW, ZoneOffset.UTC), TTL, Duration.ofSeconds(10));
    }

    @Test
    void deletesEachGonePeerAsTheSystemAndGoesOnPastAFailure() {
        gone = List.of(new DuePeer("acc-1", "p1"), new DuePeer("acc-2", "p2"), new DuePeer("acc-1", "p3"));
        failures.put("p2", CommandRejected.notFound("peer p2 not found")); // deleted by an admin meanwhile

        assertThat(sweeper().sweep()).isEqualTo(2);

        assertThat(asked).singleElement().satisfies(args -> assertThat(args).containsExactly(TTL, NOW));
        assertThat(sent).extracting(m -> (Object) m.getPayload()).containsExactly(
                new DeletePeer("acc-1", "p1"), new DeletePeer("acc-2", "p2"), new DeletePeer("acc-1", "p3"));
        assertThat(sent).allSatisfy(m -> assertThat(Actor.fromMetadata(m.getMetaData())).isEqualTo(Actor.SYSTEM));
        assertThat(meters.get(EphemeralPeerSweeper.REMOVALS_METRIC).counter().count()).isEqualTo(2);
    }

    @Test
    void aFailedQueryDeletesNothingAndTheNextRunAsksAgain() {
        queryFailure = new IllegalStateException("database unavailable");
        EphemeralPeerSweeper sweeper = sweeper();
        assertThat(sweeper.sweep()).isZero();
        assertThat(sent).isEmpty();

        queryFailure = null;
        gone = List.of(new DuePeer("acc-1", "p1"));
        assertThat(sweeper.sweep()).isEqualTo(1);
        assertThat(asked).hasSize(2);
    }
}

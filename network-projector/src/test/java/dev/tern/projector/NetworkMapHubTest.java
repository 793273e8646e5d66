package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.MeshIp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NetworkMapHubTest {
    private final NetworkMapHub hub = new NetworkMapHub();

    private static PeerNetworkMap mapWithSerial(String peerId, long serial) {
        MeshIp ip = ip(1);
        PeerConfig config = new PeerConfig(peerId, "n", key(1), ip, ip.address() + "/16", "x.tern.internal", false);
        // distinct content per serial, as real successive maps would have
        RemotePeer remote = new RemotePeer("r" + serial, "r", key(2), ip(2), "r" + serial + ".tern.internal", false);
        return new PeerNetworkMap(ACCOUNT, peerId, serial, config, List.of(remote), List.of(), List.of(), false);
    }

    @Test
    void stalledSubscriberHoldsOnlyTheNewestOfManyUpdates() {
        NetworkMapHub.Subscription stalled = hub.subscribe(ACCOUNT, "a");
        NetworkMapHub.Subscription other = hub.subscribe(ACCOUNT, "b");
        int updates = 100_000;
        for (int serial = 1; serial <= updates; serial++) {
            hub.publish(mapWithSerial("a", serial));
        }

        assertThat(stalled.supersededCount()).isEqualTo(updates - 1);
        assertThat(stalled.poll()).map(PeerNetworkMap::serial).contains((long) updates);
        assertThat(stalled.poll()).isEmpty();
        assertThat(other.poll()).as("maps go only to the peer's own subscribers").isEmpty();
    }

    @Test
    void anOlderMapNeverReplacesANewerOne() {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, "a");
        hub.publish(mapWithSerial("a", 7));
        hub.publish(mapWithSerial("a", 5));
        hub.publish(mapWithSerial("a", 7));
        assertThat(subscription.poll()).map(PeerNetworkMap::serial).contains(7L);
        assertThat(subscription.poll()).isEmpty();
    }

    @Test
    void slowConsumerSeesStrictlyIncreasingSerialsAndEndsWithTheLastMap() throws Exception {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, "a");
        int updates = 20_000;
        Thread publisher = new Thread(() -> {
            for (int serial = 1; serial <= updates; serial++) {
                hub.publish(mapWithSerial("a", serial));
            }
        });
        publisher.start();
        List<Long> received = new ArrayList<>();
        long last = 0;
        while (last < updates) {
            PeerNetworkMap map = subscription.await(Duration.ofSeconds(10)).orElseThrow();
            received.add(map.serial());
            last = map.serial();
            if (received.size() % 10 == 0) {
                Thread.sleep(1); // a consumer slower than the publisher
            }
        }
        publisher.join();
        assertThat(received).isSorted().doesNotHaveDuplicates().endsWith((long) updates);
        assertThat(received.size() + subscription.supersededCount()).isEqualTo(updates);
    }

    @Test
    void signalRunsWhenAMapLandsAndTheSubscriberPullsIt() throws Exception {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, "a");
        AtomicInteger signals = new AtomicInteger();
        CountDownLatch signalled = new CountDownLatch(1);
        subscription.onAvailable(() -> {
            signals.incrementAndGet();
            signalled.countDown();
        });
        hub.publish(mapWithSerial("a", 1));
        assertThat(signalled.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(subscription.poll()).map(PeerNetworkMap::serial).contains(1L);
        assertThat(signals.get()).isEqualTo(1);
    }

    @Test
    void aThrowingSignalDoesNotStopOtherSubscribers() {
        NetworkMapHub.Subscription failing = hub.subscribe(ACCOUNT, "a");
        failing.onAvailable(() -> {
            throw new IllegalStateException("boom");
        });
        NetworkMapHub.Subscription healthy = hub.subscribe(ACCOUNT, "a");
        hub.publish(mapWithSerial("a", 1));
        assertThat(healthy.poll()).isPresent();
        assertThat(failing.poll()).isPresent();
    }

    @Test
    void closedSubscriptionGetsNothingAndIsForgotten() throws Exception {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, "a");
        assertThat(hub.subscriberCount(ACCOUNT, "a")).isEqualTo(1);
        subscription.close();
        hub.publish(mapWithSerial("a", 1));
        assertThat(subscription.poll()).isEmpty();
        assertThat(subscription.await(Duration.ofMillis(10))).isEmpty();
        assertThat(hub.subscriberCount(ACCOUNT, "a")).isZero();
    }

    @Test
    void peerRemovalWakesAWaitingSubscriber() throws Exception {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, "a");
        CountDownLatch waiting = new CountDownLatch(1);
        List<Object> outcome = new ArrayList<>();
        Thread waiter = new Thread(() -> {
            try {
                waiting.countDown();
                outcome.add(subscription.await(Duration.ofMinutes(1)));
            } catch (InterruptedException e) {
                outcome.add(e);
            }
        });
        waiter.start();
        waiting.await();
        hub.peerRemoved(ACCOUNT, "a");
        waiter.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(waiter.isAlive()).isFalse();
        assertThat(outcome).containsExactly(java.util.Optional.empty());
        assertThat(subscription.isPeerRemoved()).isTrue();
        assertThat(hub.subscriberCount(ACCOUNT, "a")).isZero();
    }

    @Test
    void awaitWithAPredicateSkipsMapsThatDoNotSatisfyItUntilOneDoes() throws Exception {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, "a");
        hub.publish(mapWithSerial("a", 1));
        Thread later = new Thread(() -> {
            sleep(100);
            hub.publish(mapWithSerial("a", 2));
            sleep(100);
            hub.publish(mapWithSerial("a", 3));
        });
        later.start();

        var found = subscription.await(Duration.ofSeconds(10), map -> map.serial() >= 3);
        later.join();

        assertThat(found).map(PeerNetworkMap::serial).contains(3L);
        assertThat(subscription.await(Duration.ofMillis(50), map -> true)).as("skipped maps are gone").isEmpty();
        hub.publish(mapWithSerial("a", 4));
        assertThat(subscription.await(Duration.ofMillis(200), map -> false)).isEmpty();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

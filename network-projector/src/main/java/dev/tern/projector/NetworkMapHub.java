package dev.tern.projector;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * Fans changed maps out to the subscribers of each (account, peer), typically one gRPC Sync stream each.
 * A subscriber never queues: it has one slot holding the newest map it has not taken yet. A newer map replaces an
 * untaken one (which is dropped), so a slow or stalled subscriber costs at most one map, however many updates pass.
 * Subscribers pull ({@link Subscription#poll()}, {@link Subscription#await(Duration)}) or register a signal
 * ({@link Subscription#onAvailable(Runnable)}) that runs on the publishing thread and must not block.
 */
public final class NetworkMapHub {
    private record PeerKey(String accountId, String peerId) {
    }

    private final ConcurrentHashMap<PeerKey, Set<Subscription>> subscribers = new ConcurrentHashMap<>();

    /** A new subscription for the peer's maps; it receives maps published from now on. */
    public Subscription subscribe(String accountId, String peerId) {
        PeerKey key = new PeerKey(accountId, peerId);
        Subscription subscription = new Subscription(this, key);
        subscribers.computeIfAbsent(key, k -> new CopyOnWriteArraySet<>()).add(subscription);
        return subscription;
    }

    /** Offers the map to every subscriber of its peer. */
    public void publish(PeerNetworkMap map) {
        Set<Subscription> subs = subscribers.get(new PeerKey(map.accountId(), map.peerId()));
        if (subs != null) {
            for (Subscription subscription : subs) {
                subscription.offer(map);
            }
        }
    }

    /** The peer is gone: its subscriptions end (their streams should close) and are forgotten. */
    public void peerRemoved(String accountId, String peerId) {
        Set<Subscription> subs = subscribers.remove(new PeerKey(accountId, peerId));
        if (subs != null) {
            for (Subscription subscription : subs) {
                subscription.end(true);
            }
        }
    }

    /** Ends every subscription (not as a peer removal): subscribers reconnect and start over. */
    void endAll() {
        for (PeerKey key : subscribers.keySet()) {
            Set<Subscription> subs = subscribers.remove(key);
            if (subs != null) {
                subs.forEach(subscription -> subscription.end(false));
            }
        }
    }

    /** How many open subscriptions the peer has. */
    public int subscriberCount(String accountId, String peerId) {
        Set<Subscription> subs = subscribers.get(new PeerKey(accountId, peerId));
        return subs == null ? 0 : subs.size();
    }

    private void forget(Subscription subscription) {
        subscribers.computeIfPresent(subscription.key, (k, subs) -> {
            subs.remove(subscription);
            return subs.isEmpty() ? null : subs;
        });
    }

    /** One subscriber's view: a single slot with the newest untaken map. */
    public static final class Subscription implements AutoCloseable {
        private final NetworkMapHub hub;
        private final PeerKey key;
        private final AtomicReference<PeerNetworkMap> latest = new AtomicReference<>();
        private final AtomicLong superseded = new AtomicLong();
        private final Object monitor = new Object();
        private volatile Runnable signal = () -> { };
        private volatile boolean closed;
        private volatile boolean peerRemoved;
        /** Serial of the last map the subscriber took; it never gets an older or equal one again. */
        private volatile long lastTaken = Long.MIN_VALUE;

        private Subscription(NetworkMapHub hub, PeerKey key) {
            this.hub = hub;
            this.key = key;
        }

        public String accountId() {
            return key.accountId();
        }

        public String peerId() {
            return key.peerId();
        }

        /**
         * Puts the map in the slot unless the slot already holds a newer one (a map with a lower serial never
         * replaces a higher one). Used by the hub and to seed a new subscription with the current map.
         */
        void offer(PeerNetworkMap map) {
            if (closed || map.serial() <= lastTaken) {
                return;
            }
            PeerNetworkMap previous = latest.getAndAccumulate(map,
                    (held, offered) -> held == null || offered.serial() > held.serial() ? offered : held);
            if (previous != null && previous.serial() >= map.serial()) {
                return; // the slot already had this map or a newer one
            }
            if (previous != null) {
                superseded.incrementAndGet();
            }
            synchronized (monitor) {
                monitor.notifyAll();
            }
            try {
                signal.run();
            } catch (RuntimeException e) {
                // a failing subscriber must not stop the others; it will find the map when it pulls
            }
        }

        /** Takes the newest untaken map, if there is one; serials taken from one subscription strictly increase. */
        public Optional<PeerNetworkMap> poll() {
            synchronized (monitor) {
                return Optional.ofNullable(takeNewer());
            }
        }

        /** Empties the slot; a map no newer than the last one taken (an offer racing a take) is dropped. */
        private PeerNetworkMap takeNewer() {
            PeerNetworkMap map = latest.getAndSet(null);
            if (map == null || map.serial() <= lastTaken) {
                return null;
            }
            lastTaken = map.serial();
            return map;
        }

        /** Waits up to the timeout for a map to take; empty when none came or the subscription ended. */
        public Optional<PeerNetworkMap> await(Duration timeout) throws InterruptedException {
            return await(timeout, map -> true);
        }

        /**
         * Waits up to the timeout for a map that satisfies {@code wanted} (e.g. one whose login is no longer
         * expired); maps taken meanwhile that do not are dropped. Empty when none came or the subscription ended.
         */
        public Optional<PeerNetworkMap> await(Duration timeout, Predicate<? super PeerNetworkMap> wanted)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (monitor) {
                while (true) {
                    PeerNetworkMap map = takeNewer();
                    if (map != null && wanted.test(map)) {
                        return Optional.of(map);
                    }
                    long remaining = deadline - System.nanoTime();
                    if (closed || remaining <= 0) {
                        return Optional.empty();
                    }
                    TimeUnit.NANOSECONDS.timedWait(monitor, remaining);
                }
            }
        }

        /** Runs the signal whenever a map lands in the slot (on the publisher's thread: hand off, never block). */
        public void onAvailable(Runnable availableSignal) {
            this.signal = availableSignal == null ? () -> { } : availableSignal;
            if (latest.get() != null) {
                this.signal.run();
            }
        }

        /** How many maps were dropped because a newer one arrived before this subscriber took them. */
        public long supersededCount() {
            return superseded.get();
        }

        public boolean isClosed() {
            return closed;
        }

        /** Whether the subscription ended because the peer was deleted. */
        public boolean isPeerRemoved() {
            return peerRemoved;
        }

        /** Ends the subscription; later maps are not kept for it. */
        @Override
        public void close() {
            end(false);
            hub.forget(this);
        }

        private void end(boolean removed) {
            if (closed) {
                return;
            }
            if (removed) {
                peerRemoved = true;
            }
            closed = true;
            latest.set(null);
            synchronized (monitor) {
                monitor.notifyAll();
            }
            try {
                signal.run();
            } catch (RuntimeException e) {
                // the subscriber learns from isClosed() on its next pull
            }
        }
    }
}

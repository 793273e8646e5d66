package dev.tern.api.grpc;

import dev.tern.api.outage.DatabaseFailures;
import dev.tern.query.peers.PeerStatusStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes peer connection status to a {@link PeerStatusStore} on a background thread; callers return at once. A Sync used to write its peer's
 * connection status on the gRPC call thread: with PostgreSQL slow or away, each new stream (and every last_seen
 * refresh) held a call thread for the pool's timeout, and the call pool ran dry for everyone.
 * <p>
 * Pending writes coalesce per peer: only the newest status of a peer is kept (a later "connected" replaces an
 * unwritten "disconnected" and vice versa), so the queue holds at most one entry per peer, and never more than
 * {@code maxPending}. While the database is unavailable the writer keeps the entries and retries with backoff;
 * when it is back they are written. Other failures (a bug, a constraint) drop that one entry with a warning rather
 * than retrying it forever.
 */
final class BackgroundPeerStatusWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundPeerStatusWriter.class);
    static final int DEFAULT_MAX_PENDING = 100_000;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    private static final Duration CLOSE_FLUSH = Duration.ofSeconds(5);

    private record PeerKey(String accountId, String peerId) {
    }

    /** One status to write; {@code connectionIp} is written only with connected. */
    private record Status(boolean connected, Instant at, String connectionIp) {
    }

    private final PeerStatusStore store;
    private final int maxPending;
    private final ConcurrentHashMap<PeerKey, Status> pending = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;

    BackgroundPeerStatusWriter(PeerStatusStore store, int maxPending) {
        this.store = store;
        this.maxPending = maxPending;
        this.thread = new Thread(this::run, "peer-status-writer");
        thread.setDaemon(true);
        thread.start();
    }

    void markConnected(String accountId, String peerId, Instant at, String connectionIp) {
        offer(new PeerKey(accountId, peerId), new Status(true, at, connectionIp));
    }

    void markDisconnected(String accountId, String peerId, Instant at) {
        offer(new PeerKey(accountId, peerId), new Status(false, at, null));
    }

    /**
     * This writer as the store {@link SyncSessions} writes to. A view rather than the class itself, so that the
     * writer bean is not a second {@link PeerStatusStore} next to the JDBC one.
     */
    PeerStatusStore asStore() {
        return new PeerStatusStore() {
            @Override
            public void markConnected(String accountId, String peerId, Instant at, String connectionIp) {
                BackgroundPeerStatusWriter.this.markConnected(accountId, peerId, at, connectionIp);
            }

            @Override
            public void markDisconnected(String accountId, String peerId, Instant at) {
                BackgroundPeerStatusWriter.this.markDisconnected(accountId, peerId, at);
            }
        };
    }

    private void offer(PeerKey key, Status status) {
        if (pending.size() >= maxPending && !pending.containsKey(key)) {
            // Bounded: beyond this many peers with unwritten statuses a new one is dropped; the next last_seen
            // refresh of an open stream offers it again.
            if (dropped.getAndIncrement() % 10_000 == 0) {
                log.warn("peer status queue is full ({} peers); dropping status updates until it drains", maxPending);
            }
            return;
        }
        // The store keeps the last known address when a status brings none; so does the coalesced entry, which
        // also carries it through an unwritten "disconnected" (whose write ignores it).
        pending.merge(key, status, (older, newer) -> newer.connectionIp() == null && older.connectionIp() != null
                ? new Status(newer.connected(), newer.at(), older.connectionIp()) : newer);
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** Statuses not written yet (for tests and metrics). */
    int pendingCount() {
        return pending.size();
    }

    long droppedCount() {
        return dropped.get();
    }

    private void run() {
        Duration backoff = FIRST_BACKOFF;
        long closeDeadline = Long.MAX_VALUE;
        while (true) {
            if (closing && closeDeadline == Long.MAX_VALUE) {
                closeDeadline = System.nanoTime() + CLOSE_FLUSH.toNanos();
            }
            if (pending.isEmpty()) {
                if (closing) {
                    return;
                }
                awaitWork();
                continue;
            }
            if (System.nanoTime() > closeDeadline) {
                log.warn("{} peer statuses not written at shutdown (database unavailable)", pending.size());
                return;
            }
            if (writeAll()) {
                backoff = FIRST_BACKOFF;
            } else {
                pause(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Writes every pending status once; false when the database is unavailable (the rest stays pending). */
    private boolean writeAll() {
        List<Map.Entry<PeerKey, Status>> batch = new ArrayList<>(pending.entrySet());
        for (Map.Entry<PeerKey, Status> entry : batch) {
            PeerKey key = entry.getKey();
            Status status = entry.getValue();
            try {
                if (status.connected()) {
                    store.markConnected(key.accountId(), key.peerId(), status.at(), status.connectionIp());
                } else {
                    store.markDisconnected(key.accountId(), key.peerId(), status.at());
                }
            } catch (RuntimeException e) {
                if (DatabaseFailures.isUnavailable(e)) {
                    return false;
                }
                log.warn("could not write the status of peer {}: {}", key.peerId(), e.toString());
            }
            // Removed only if no newer status arrived meanwhile: that one is written next round.
            pending.remove(key, status);
        }
        return true;
    }

    private void awaitWork() {
        synchronized (signal) {
            if (pending.isEmpty() && !closing) {
                try {
                    signal.wait(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    closing = true;
                }
            }
        }
    }

    /** Backs off; new offers do not cut it short (the database would only be asked sooner). */
    private void pause(Duration duration) {
        try {
            Thread.sleep(Math.max(1, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
        }
    }

    /** Writes what is pending (for at most a few seconds), then stops the thread. */
    @Override
    public void close() {
        closing = true;
        synchronized (signal) {
            signal.notifyAll();
        }
        try {
            thread.join(CLOSE_FLUSH.toMillis() + 1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

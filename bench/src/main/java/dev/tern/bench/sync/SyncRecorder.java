package dev.tern.bench.sync;

import dev.tern.protocol.management.SyncResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * What the simulated Sync clients received: first maps, and per measured change the moment each client held
 * (had received, decrypted and parsed) a map that shows the change, plus the bytes of every message it got.
 */
final class SyncRecorder {
    private final int clients;
    private final boolean[] hasFirstMap; // each slot written only by its client's (serial) callbacks
    private final CountDownLatch firstMaps;
    private final AtomicLong lastMessageNanos = new AtomicLong(System.nanoTime());
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile Change change;
    private volatile SyncResponse latestOfClientZero;

    SyncRecorder(int clients) {
        this.clients = clients;
        this.hasFirstMap = new boolean[clients];
        this.firstMaps = new CountDownLatch(clients);
    }

    void received(int client, long nanos, SyncResponse map, int encryptedBytes) {
        lastMessageNanos.set(nanos);
        if (!hasFirstMap[client]) {
            hasFirstMap[client] = true;
            firstMaps.countDown();
        }
        Change c = change;
        if (c != null) {
            c.bytes.addAndGet(client, encryptedBytes);
            c.messages.incrementAndGet();
            if (c.arrivalNanos.get(client) == 0 && c.applied.test(map)) {
                c.arrivalNanos.set(client, nanos);
                c.held.countDown();
            }
        }
        if (client == 0) {
            latestOfClientZero = map;
        }
    }

    void failed(int client, Throwable t) {
        failures.incrementAndGet();
        firstFailure.compareAndSet(null, t);
    }

    boolean awaitFirstMaps(Duration timeout) throws InterruptedException {
        return firstMaps.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    long missingFirstMaps() {
        return firstMaps.getCount();
    }

    /** Waits until no client has received anything for {@code quiet}, at most {@code max}. */
    void awaitQuiet(Duration quiet, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (System.nanoTime() - lastMessageNanos.get() >= quiet.toNanos()) {
                return;
            }
            Thread.sleep(50);
        }
    }

    /** Starts recording a change: {@code applied} tells a map that shows it from one that does not. */
    Change begin(Predicate<SyncResponse> applied) {
        Change c = new Change(clients, applied);
        change = c;
        return c;
    }

    void end() {
        change = null;
    }

    SyncResponse latestOfClientZero() {
        return latestOfClientZero;
    }

    long failures() {
        return failures.get();
    }

    Throwable firstFailure() {
        return firstFailure.get();
    }

    /** One measured change. */
    static final class Change {
        final Predicate<SyncResponse> applied;
        final AtomicLongArray arrivalNanos;
        final AtomicLongArray bytes;
        final AtomicLong messages = new AtomicLong();
        final CountDownLatch held;
        volatile long startNanos;

        private Change(int clients, Predicate<SyncResponse> applied) {
            this.applied = applied;
            this.arrivalNanos = new AtomicLongArray(clients);
            this.bytes = new AtomicLongArray(clients);
            this.held = new CountDownLatch(clients);
        }

        /** Milliseconds from the start to each client holding the change; clients that never did are left out. */
        double[] latenciesMillis() {
            double[] out = new double[arrivalNanos.length()];
            int n = 0;
            for (int i = 0; i < arrivalNanos.length(); i++) {
                long at = arrivalNanos.get(i);
                if (at != 0) {
                    out[n++] = (at - startNanos) / 1e6;
                }
            }
            return java.util.Arrays.copyOf(out, n);
        }

        long totalBytes() {
            long sum = 0;
            for (int i = 0; i < bytes.length(); i++) {
                sum += bytes.get(i);
            }
            return sum;
        }

        long maxBytesPerClient() {
            long max = 0;
            for (int i = 0; i < bytes.length(); i++) {
                max = Math.max(max, bytes.get(i));
            }
            return max;
        }
    }
}

package dev.tern.api.web;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The open audit streams: at most {@link #PER_USER} per user and {@link #TOTAL} in all, each on a thread of its own
 * (its writes block while its consumer does not read, and must not hold up anyone else). Stopped before the web
 * server's graceful shutdown, which would otherwise wait for every stream to end by itself.
 */
@Component
class AuditStreams implements SmartLifecycle {
    static final int PER_USER = 4;
    static final int TOTAL = 64;

    private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final Set<AuditStreamSession> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger total = new AtomicInteger();
    private final ThreadPoolExecutor threads;
    private volatile boolean running;

    AuditStreams() {
        AtomicInteger number = new AtomicInteger();
        // Slots bound the streams; the pool has room beyond them because a stream gives its slot back a moment
        // before its thread is free for the next one.
        threads = new ThreadPoolExecutor(0, 2 * TOTAL, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), task -> {
            Thread thread = new Thread(task, "audit-stream-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Takes a slot for {@code userId}, or answers 429 when the user or the server has no stream left. */
    Slot reserve(String userId) {
        if (!running) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "tern-server is shutting down");
        }
        AtomicInteger mine = perUser.computeIfAbsent(userId, id -> new AtomicInteger());
        if (mine.incrementAndGet() > PER_USER) {
            mine.decrementAndGet();
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "at most " + PER_USER
                    + " audit streams per user may be open; close one first");
        }
        if (total.incrementAndGet() > TOTAL) {
            total.decrementAndGet();
            mine.decrementAndGet();
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "tern-server holds its maximum of " + TOTAL
                    + " audit streams; try again later");
        }
        return new Slot(mine);
    }

    /** A reserved place for one stream; {@link #start} runs it, and its end gives the place back. */
    final class Slot {
        private final AtomicInteger mine;
        private boolean released;

        private Slot(AtomicInteger mine) {
            this.mine = mine;
        }

        void start(AuditStreamSession session) {
            open.add(session);
            try {
                threads.execute(() -> {
                    try {
                        session.run();
                    } finally {
                        open.remove(session);
                        release();
                    }
                });
            } catch (RuntimeException e) {
                open.remove(session);
                release();
                throw e;
            }
        }

        synchronized void release() {
            if (!released) {
                released = true;
                mine.decrementAndGet();
                total.decrementAndGet();
            }
        }
    }

    int openStreams() {
        return total.get();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        open.forEach(AuditStreamSession::stop);
        threads.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}

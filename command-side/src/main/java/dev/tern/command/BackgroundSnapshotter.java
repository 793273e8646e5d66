package dev.tern.command;

import org.axonframework.eventsourcing.Snapshotter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Takes snapshots on one background thread instead of the committing command thread. Axon's Spring snapshotter
 * runs the snapshot right after the command's commit, on the command thread and before the account's lock is
 * released; a 10,000-peer account is megabytes of JSON, so every snapshot would stall all writers of that
 * account. At most one snapshot per aggregate waits in the queue: a later one includes everything anyway.
 *
 * <p>Deliberately not a {@link Snapshotter} itself: as a Spring bean it would compete with Axon's own snapshotter
 * bean wherever one is looked up by type. {@link #snapshotter()} hands out the view the trigger needs.
 */
final class BackgroundSnapshotter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundSnapshotter.class);

    private final Snapshotter delegate;
    private final ExecutorService worker;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();

    BackgroundSnapshotter(Snapshotter delegate) {
        this.delegate = delegate;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "tern-snapshotter");
            thread.setDaemon(true);
            thread.setPriority(Thread.NORM_PRIORITY - 1);
            return thread;
        });
    }

    /** Schedules on the background thread. */
    Snapshotter snapshotter() {
        return this::scheduleSnapshot;
    }

    void scheduleSnapshot(Class<?> aggregateType, String aggregateIdentifier) {
        String key = aggregateType.getName() + '/' + aggregateIdentifier;
        if (!queued.add(key)) {
            return;
        }
        try {
            worker.execute(() -> {
                // dequeued before running, so events committed meanwhile can ask for the next snapshot
                queued.remove(key);
                try {
                    delegate.scheduleSnapshot(aggregateType, aggregateIdentifier);
                } catch (RuntimeException e) {
                    // a missing snapshot only makes the next load replay more events
                    log.warn("snapshot of {} {} failed: {}", aggregateType.getSimpleName(), aggregateIdentifier, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            queued.remove(key);
        }
    }

    @Override
    public void close() throws InterruptedException {
        worker.shutdown();
        if (!worker.awaitTermination(10, TimeUnit.SECONDS)) {
            worker.shutdownNow();
        }
    }
}

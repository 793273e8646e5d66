package dev.tern.api.scheduling;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.springframework.context.SmartLifecycle;

/**
 * A job the server runs every {@code interval} on one daemon thread of its own, as a Spring lifecycle bean: runs
 * never overlap (the schedule waits for a run to end before the next delay starts, and a run started by hand through
 * {@link #exclusively} waits for a running one), a failed run never cancels the schedule, and a stop lets the run in
 * progress end early (its loops check {@link #stopping()}) for up to 10 s before interrupting it.
 */
public abstract class PeriodicTask implements SmartLifecycle {
    /** The thread keeps the priority of the thread that starts the task. */
    private static final int INHERITED_PRIORITY = -1;

    private final String threadName;
    private final int threadPriority;
    private final Duration interval;
    private final ReentrantLock running = new ReentrantLock();
    private ScheduledExecutorService schedule;
    /** Set while stopping: a run in progress ends after its current step instead of walking on. */
    private volatile boolean stopping;

    protected PeriodicTask(String threadName, Duration interval) {
        this(threadName, INHERITED_PRIORITY, interval);
    }

    /** A task whose thread runs at {@code threadPriority} ({@link Thread#MIN_PRIORITY} for background upkeep). */
    protected PeriodicTask(String threadName, int threadPriority, Duration interval) {
        this.threadName = threadName;
        this.threadPriority = threadPriority;
        this.interval = interval;
    }

    /** What the schedule runs: one run, which should go through {@link #exclusively}. */
    protected abstract void scheduledRun();

    /** Logs a scheduled run's failure; the next run tries again. */
    protected abstract void scheduledRunFailed(RuntimeException failure);

    /** Runs {@code run} never concurrently with another run, scheduled or started by hand. */
    protected final <T> T exclusively(Supplier<T> run) {
        running.lock();
        try {
            return run.get();
        } finally {
            running.unlock();
        }
    }

    protected final boolean stopping() {
        return stopping;
    }

    private void runCatchingFailures() {
        try {
            scheduledRun();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule for good; the next run tries again instead.
            scheduledRunFailed(e);
        }
    }

    @Override
    public synchronized void start() {
        if (schedule == null) {
            stopping = false;
            schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, threadName);
                thread.setDaemon(true);
                if (threadPriority != INHERITED_PRIORITY) {
                    thread.setPriority(threadPriority);
                }
                return thread;
            });
            schedule.scheduleWithFixedDelay(this::runCatchingFailures, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (schedule != null) {
            stopping = true;
            schedule.shutdown();
            try {
                if (!schedule.awaitTermination(10, TimeUnit.SECONDS)) {
                    schedule.shutdownNow();
                }
            } catch (InterruptedException e) {
                schedule.shutdownNow();
                Thread.currentThread().interrupt();
            }
            schedule = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return schedule != null;
    }
}

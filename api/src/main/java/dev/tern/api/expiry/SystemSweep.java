package dev.tern.api.expiry;

import dev.tern.api.commands.CommandService;
import dev.tern.events.values.Ids;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.context.SmartLifecycle;

/**
 * A periodic job that sends commands as the system (expiring logins, deleting ephemeral peers): one daemon thread,
 * runs that never overlap (the schedule waits for a run to end before the next delay starts, and a run started by
 * hand waits for a running one), a failed run that never cancels the schedule, and a stop that lets the run in
 * progress end after its current command.
 */
abstract class SystemSweep implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SystemSweep.class);

    private final String name;
    private final Duration interval;
    private final ReentrantLock running = new ReentrantLock();
    private ScheduledExecutorService schedule;
    /** Set while stopping: a run in progress ends after its current command instead of walking on. */
    private volatile boolean stopping;

    SystemSweep(String name, Duration interval) {
        this.name = name;
        this.interval = interval;
    }

    /** One run; returns how many peers it changed. */
    public final int sweep() {
        running.lock();
        try {
            return sweepOnce();
        } finally {
            running.unlock();
        }
    }

    /** The run itself, never concurrent with another; loops over peers check {@link #stopping()}. */
    protected abstract int sweepOnce();

    protected final boolean stopping() {
        return stopping;
    }

    /** Runs one command under a correlation id of its own, so each command's events can be told apart. */
    protected static <T> T withOwnCorrelation(Supplier<T> command) {
        String callersCorrelation = MDC.get(CommandService.MDC_CORRELATION_ID);
        MDC.put(CommandService.MDC_CORRELATION_ID, Ids.newId());
        try {
            return command.get();
        } finally {
            if (callersCorrelation == null) {
                MDC.remove(CommandService.MDC_CORRELATION_ID);
            } else {
                MDC.put(CommandService.MDC_CORRELATION_ID, callersCorrelation);
            }
        }
    }

    private void scheduledSweep() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule for good; the next run tries again instead.
            log.warn("{} failed: {}", name, e.toString());
        }
    }

    @Override
    public synchronized void start() {
        if (schedule == null) {
            stopping = false;
            schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, name);
                thread.setDaemon(true);
                return thread;
            });
            schedule.scheduleWithFixedDelay(this::scheduledSweep, interval.toMillis(), interval.toMillis(),
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

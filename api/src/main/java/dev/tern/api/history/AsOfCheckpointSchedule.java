package dev.tern.api.history;

import dev.tern.query.history.ReadModelCheckpoints;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Takes the read-model checkpoints of {@code as_of} reads ({@link ReadModelCheckpoints}): every
 * {@link #CHECK_INTERVAL}, each account with at least {@link AsOfCheckpointSettings#every} events after its newest
 * checkpoint gets a new one (built from that checkpoint and the events since, in a transaction of its own that
 * never touches the live read tables) and keeps its newest {@link AsOfCheckpointSettings#kept}. One daemon thread;
 * runs never overlap; a failed account is logged and tried again at the next check.
 */
@Component
public class AsOfCheckpointSchedule implements SmartLifecycle {
    /** How often accounts are looked at: one indexed query per account. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(AsOfCheckpointSchedule.class);

    private final ReadModelCheckpoints checkpoints;
    private final AsOfCheckpointSettings settings;
    private final ReentrantLock running = new ReentrantLock();
    private ScheduledExecutorService schedule;
    private volatile boolean stopping;

    @Autowired
    AsOfCheckpointSchedule(ReadModelCheckpoints checkpoints, Environment environment) {
        this(checkpoints, AsOfCheckpointSettings.from(System.getenv(), environment::getProperty));
    }

    AsOfCheckpointSchedule(ReadModelCheckpoints checkpoints, AsOfCheckpointSettings settings) {
        this.checkpoints = checkpoints;
        this.settings = settings;
    }

    public AsOfCheckpointSettings settings() {
        return settings;
    }

    /** One run: checkpoints every account that is due; returns how many it took. */
    public int checkpointDueAccounts() {
        running.lock();
        try {
            int taken = 0;
            for (String account : checkpoints.accounts()) {
                if (stopping) {
                    break;
                }
                try {
                    if (checkpoints.eventsSinceNewest(account) >= settings.every()
                            && checkpoints.take(account, settings.kept()).isPresent()) {
                        taken++;
                    }
                } catch (RuntimeException e) {
                    // one account's failure (e.g. a statement timeout) must not keep the others from theirs
                    log.warn("as_of checkpoint of account {} failed: {}", account, e.toString());
                }
            }
            return taken;
        } finally {
            running.unlock();
        }
    }

    private void scheduledRun() {
        try {
            checkpointDueAccounts();
        } catch (RuntimeException e) {
            // an exception would cancel the schedule for good; the next run tries again instead
            log.warn("as_of checkpoints failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void start() {
        if (schedule == null) {
            stopping = false;
            schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "as-of-checkpoints");
                thread.setDaemon(true);
                thread.setPriority(Thread.MIN_PRIORITY);
                return thread;
            });
            schedule.scheduleWithFixedDelay(this::scheduledRun, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(),
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

package dev.tern.api.history;

import dev.tern.api.scheduling.PeriodicTask;
import dev.tern.query.history.ReadModelCheckpoints;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Takes the read-model checkpoints of {@code as_of} reads ({@link ReadModelCheckpoints}): every
 * {@link #CHECK_INTERVAL}, each account with at least {@link AsOfCheckpointSettings#every} events after its newest
 * checkpoint gets a new one (built from that checkpoint and the events since, in a transaction of its own that
 * never touches the live read tables) and keeps its newest {@link AsOfCheckpointSettings#kept}. A
 * {@link PeriodicTask} on a low-priority thread; a failed account is logged and tried again at the next check.
 */
@Component
public class AsOfCheckpointSchedule extends PeriodicTask {
    /** How often accounts are looked at: one indexed query per account. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(AsOfCheckpointSchedule.class);

    private final ReadModelCheckpoints checkpoints;
    private final AsOfCheckpointSettings settings;

    @Autowired
    AsOfCheckpointSchedule(ReadModelCheckpoints checkpoints, Environment environment) {
        this(checkpoints, AsOfCheckpointSettings.from(System.getenv(), environment::getProperty));
    }

    AsOfCheckpointSchedule(ReadModelCheckpoints checkpoints, AsOfCheckpointSettings settings) {
        super("as-of-checkpoints", Thread.MIN_PRIORITY, CHECK_INTERVAL);
        this.checkpoints = checkpoints;
        this.settings = settings;
    }

    public AsOfCheckpointSettings settings() {
        return settings;
    }

    /** One run: checkpoints every account that is due; returns how many it took. */
    public int checkpointDueAccounts() {
        return exclusively(() -> {
            int taken = 0;
            for (String account : checkpoints.accounts()) {
                if (stopping()) {
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
        });
    }

    @Override
    protected void scheduledRun() {
        checkpointDueAccounts();
    }

    @Override
    protected void scheduledRunFailed(RuntimeException failure) {
        log.warn("as_of checkpoints failed: {}", failure.toString());
    }
}

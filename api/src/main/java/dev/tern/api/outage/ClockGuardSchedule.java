package dev.tern.api.outage;

import dev.tern.api.scheduling.PeriodicTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checks the {@link ClockGuard} every {@link ClockGuard#CHECK_INTERVAL}, on the server's one periodic-job lifecycle. */
class ClockGuardSchedule extends PeriodicTask {
    private static final Logger log = LoggerFactory.getLogger(ClockGuardSchedule.class);

    private final ClockGuard guard;

    ClockGuardSchedule(ClockGuard guard) {
        super("clock-guard", ClockGuard.CHECK_INTERVAL);
        this.guard = guard;
    }

    @Override
    protected void scheduledRun() {
        exclusively(() -> {
            guard.check();
            return null;
        });
    }

    @Override
    protected void scheduledRunFailed(RuntimeException failure) {
        // PostgreSQL away: the outage probe reports that; the next round checks again
        log.debug("clock check failed: {}", failure.toString());
    }
}

package dev.tern.api.expiry;

import dev.tern.api.commands.CommandService;
import dev.tern.events.values.Ids;
import dev.tern.api.scheduling.PeriodicTask;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A periodic job that sends commands as the system (expiring logins, deleting ephemeral peers), on the schedule of a
 * {@link PeriodicTask}: a run started by hand waits for a running one, and a stop lets the run in progress end after
 * its current command.
 */
abstract class SystemSweep extends PeriodicTask {
    private static final Logger log = LoggerFactory.getLogger(SystemSweep.class);

    private final String name;

    SystemSweep(String name, Duration interval) {
        super(name, interval);
        this.name = name;
    }

    /** One run; returns how many peers it changed. */
    public final int sweep() {
        return exclusively(this::sweepOnce);
    }

    /** The run itself, never concurrent with another; loops over peers check {@link #stopping()}. */
    protected abstract int sweepOnce();

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

    @Override
    protected final void scheduledRun() {
        sweep();
    }

    @Override
    protected final void scheduledRunFailed(RuntimeException failure) {
        log.warn("{} failed: {}", name, failure.toString());
    }
}

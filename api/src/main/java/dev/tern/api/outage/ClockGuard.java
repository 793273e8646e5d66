package dev.tern.api.outage;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.TernSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a node whose clock runs ahead of PostgreSQL's from writing. Events are stamped with this process's clock, and
 * one stamped in the future ends every later {@code as_of} read of its account before it (the account's history
 * seems to stop at that instant until real time passes it). So tern-server compares its clock with PostgreSQL's
 * ({@code SELECT clock_timestamp()}) at start and every {@link #CHECK_INTERVAL}: while it is ahead by more than
 * {@code TERN_MAX_CLOCK_AHEAD} it says so loudly (an error in the log, health DOWN, {@code tern_clock_ahead_seconds})
 * and refuses every command ({@link #requireWritable}: REST 503 with Retry-After, gRPC UNAVAILABLE) until it is back
 * within bounds. A clock behind the database's stamps events in the past, which as_of reads place a little early but
 * never hide, so only "ahead" is guarded.
 */
public final class ClockGuard {
    public static final String MAX_AHEAD = "TERN_MAX_CLOCK_AHEAD";
    /** NTP keeps clocks within milliseconds; seconds off means no time sync at all. */
    public static final Duration DEFAULT_MAX_AHEAD = Duration.ofSeconds(5);
    static final Duration MIN_MAX_AHEAD = Duration.ofMillis(500);
    static final Duration MAX_MAX_AHEAD = Duration.ofHours(1);
    public static final Duration CHECK_INTERVAL = Duration.ofSeconds(10);
    /** Clients retry after this: the next check is at most this far away. */
    public static final int RETRY_AFTER_SECONDS = (int) CHECK_INTERVAL.toSeconds();
    /** The short forms the bound takes (no hours: it is an hour at most). */
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
    private static final Logger log = LoggerFactory.getLogger(ClockGuard.class);

    private final Clock local;
    private final Supplier<Instant> databaseNow;
    private final Duration maxAhead;
    private volatile Duration ahead = Duration.ZERO;
    private volatile boolean refusing;

    public ClockGuard(Clock local, Supplier<Instant> databaseNow, Duration maxAhead) {
        this.local = local;
        this.databaseNow = databaseNow;
        this.maxAhead = maxAhead;
    }

    /** A guard that never refuses: for a process that writes no events of its own clock (tests, tools). */
    public static ClockGuard unguarded() {
        return new ClockGuard(Clock.systemUTC(), () -> Instant.now(), MAX_MAX_AHEAD.multipliedBy(1_000_000));
    }

    /**
     * One comparison: the database's clock against the middle of the local instants around the query (so a slow
     * query adds at most half its round trip). A failed query leaves the state as it was: an unreachable database
     * is the outage probe's to report.
     */
    public void check() {
        Instant before = local.instant();
        Instant database = databaseNow.get();
        Instant after = local.instant();
        Instant middle = before.plus(Duration.between(before, after).dividedBy(2));
        Duration measured = Duration.between(database, middle);
        ahead = measured;
        boolean wasRefusing = refusing;
        refusing = measured.compareTo(maxAhead) > 0;
        if (refusing && !wasRefusing) {
            log.error("This server's clock is {} ms ahead of PostgreSQL's (at most {} ms allowed, {}): writes are "
                    + "refused until it is back in bounds; fix the host's time synchronisation (NTP)",
                    measured.toMillis(), maxAhead.toMillis(), MAX_AHEAD);
        } else if (!refusing && wasRefusing) {
            log.info("This server's clock is back within {} ms of PostgreSQL's ({} ms ahead): writes are accepted",
                    maxAhead.toMillis(), measured.toMillis());
        }
    }

    /** @throws ClockAheadException while this server's clock is too far ahead of the database's */
    public void requireWritable() {
        if (refusing) {
            throw new ClockAheadException("this server's clock is " + ahead.toMillis() + " ms ahead of the "
                    + "database's (at most " + maxAhead.toMillis() + " ms allowed): writes are refused until it is "
                    + "back in bounds, retry later");
        }
    }

    public boolean isRefusingWrites() {
        return refusing;
    }

    /** How far this server's clock was ahead of the database's at the last check (negative: behind). */
    public Duration ahead() {
        return ahead;
    }

    /**
     * {@code TERN_MAX_CLOCK_AHEAD} from validated {@code TERN_*} values ({@code TernSettings.from} calls this, so a
     * bad value stops start-up with one line): {@code <n>ms}, {@code <n>s} or {@code <n>m} (or ISO-8601, as every
     * duration setting), 500 ms to 1 h.
     *
     * @throws InvalidSettingException naming the variable, with a one-line reason
     */
    public static Duration maxAhead(Map<String, String> values) {
        return TernSettings.duration(values.get(MAX_AHEAD), SHORT_DURATION, MAX_AHEAD, DEFAULT_MAX_AHEAD,
                MIN_MAX_AHEAD, MAX_MAX_AHEAD, "500ms and 60m", "5s or 1500ms");
    }

    /** This process's bound (environment and system properties), read as {@code TernSettings.from} reads it. */
    static Duration maxAhead(Map<String, String> environment, Function<String, String> properties) {
        return TernSettings.readPart(environment, properties, List.of(MAX_AHEAD), ClockGuard::maxAhead);
    }
}

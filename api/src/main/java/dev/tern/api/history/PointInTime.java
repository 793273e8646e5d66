package dev.tern.api.history;

import dev.tern.events.AccountEvent;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.query.AsOfScope;
import dev.tern.query.history.AccountEventsAt;
import dev.tern.query.history.AccountEventsAt.AccountEvents;
import dev.tern.query.history.AccountSnapshot;
import dev.tern.query.history.PointInTimeReads;
import dev.tern.query.history.ReadModelAt;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.axonframework.eventhandling.DomainEventMessage;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * {@code as_of}: the state of one account at an instant, for the REST reads. {@link #readFolded} runs the ordinary
 * read code with the account's reads answered from its events up to the instant, folded in memory
 * ({@link AccountSnapshot}); while it runs, {@link #current} holds the instant and that state's network maps, so
 * code that asks the network projector (accessible peers, their counts, network maps, why A could reach B) gets the
 * maps then instead of now.
 *
 * <p>Work per request is bounded by one account's events, and most of it is done once per state. The account's
 * events are held in memory once read ({@link AccountEventsAt}): a read asks the store only for what was appended
 * since. A small cache holds the folded read models and the network maps of the {@value #CACHED_STATES} most
 * recently asked states, keyed by account and the sequence number of the last event at or before the instant
 * (every instant between two events names the same state, so "03:00" asked by ten auditors folds once). The maps
 * come from a projector that folds the events into the account's graph and computes a peer's map only when asked
 * for (a network map as of an instant costs one map, not the account's thousands); a state not cached starts from
 * the newest earlier one no read is using, folding only the events between (a page-through of a timeline folds
 * each event once). At most {@value #CONCURRENT_READS} as-of reads run at once.
 *
 * <p>{@link #read} answers the same reads from the read tables as the projections replay the events into them: the
 * reference the folded reads are compared with, not a server's path.
 */
@Component
public class PointInTime {
    /** States whose network maps are kept; each holds one account's graph and maps. */
    static final int CACHED_STATES = 8;

    /**
     * As-of reads running at once. Each folds an account's events (and may sort its rows in the database) while it
     * runs; the bound keeps a client asking many instants at once from taking the CPU and pool the live API needs.
     */
    static final int CONCURRENT_READS = 2;
    /** How long an as-of read waits for its turn before the client is told to come back (503, Retry-After). */
    static final Duration TURN_TIMEOUT = Duration.ofSeconds(10);

    /** RFC 3339's date-time: seconds and an offset are required (java.time alone would take "03:00Z"). */
    private static final Pattern RFC_3339 = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

    private static final ThreadLocal<State> CURRENT = new ThreadLocal<>();

    private final Semaphore turns = new Semaphore(CONCURRENT_READS, true);
    /** Every as-of read builds the read tables instead of folding the events ({@link #readFolded}): to compare both ways. */
    private volatile boolean readTablesAlways;
    private final Duration turnTimeout;

    private final AccountEventsAt events;
    private final ReadModelAt readModel;
    private final PointInTimeReads folds;
    /** The read models folded from the events of the most recently asked states ({@link #readFolded}). */
    private final Map<StateKey, AccountSnapshot> snapshots = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<StateKey, AccountSnapshot> eldest) {
            return size() > CACHED_STATES;
        }
    };
    /** Projectors a read is using, with the number of its leases: never advanced to another state meanwhile. */
    private final Map<NetworkMapProjector, Integer> leased = new IdentityHashMap<>();
    private final Map<StateKey, NetworkMapProjector> projectors = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<StateKey, NetworkMapProjector> eldest) {
            return size() > CACHED_STATES;
        }
    };

    @Autowired
    public PointInTime(AccountEventsAt events, ReadModelAt readModel, PointInTimeReads folds) {
        this(events, readModel, folds, TURN_TIMEOUT);
    }

    PointInTime(AccountEventsAt events, ReadModelAt readModel, PointInTimeReads folds, Duration turnTimeout) {
        this.events = events;
        this.readModel = readModel;
        this.folds = folds;
        this.turnTimeout = turnTimeout;
    }

    /** Why an {@code as_of} value was refused; the message is the client's 400 answer. */
    public static final class BadInstant extends RuntimeException {
        BadInstant(String message) {
            super(message, null, false, false);
        }
    }

    /** Too many as-of reads are running; the client should retry (503 with Retry-After). */
    public static final class Busy extends RuntimeException {
        Busy() {
            super("too many point-in-time reads at once; retry shortly", null, false, false);
        }
    }

    /**
     * Parses an RFC 3339 instant (date, time and offset; {@code Z} or {@code ±hh:mm}). A {@code +} that arrived
     * unencoded in the query string reads back as a space and is taken as the {@code +} it was.
     */
    public static Instant parse(String text, Instant now) {
        if (text == null || text.isBlank()) {
            throw new BadInstant("query parameter 'as_of' must be an RFC 3339 time, e.g. 2026-01-31T03:00:00Z");
        }
        String t = text.trim();
        if (t.length() > 6 && t.charAt(t.length() - 6) == ' ') {
            t = t.substring(0, t.length() - 6) + "+" + t.substring(t.length() - 5);
        }
        Instant instant;
        try {
            if (!RFC_3339.matcher(t).matches()) {
                throw new DateTimeException("not RFC 3339");
            }
            instant = OffsetDateTime.parse(t.replace('t', 'T').replace('z', 'Z'), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant();
        } catch (DateTimeException e) {
            throw new BadInstant("query parameter 'as_of' is not an RFC 3339 time (e.g. 2026-01-31T03:00:00Z): '"
                    + (t.length() > 64 ? t.substring(0, 64) + "..." : t) + "'");
        }
        if (instant.isAfter(now)) {
            throw new BadInstant("query parameter 'as_of' lies in the future: " + instant + " is after " + now);
        }
        return instant;
    }

    /**
     * Runs {@code reads} as of {@code at} against the read tables as the projections replay the account's events up
     * to it ({@link ReadModelAt}), with the network maps then: the reference {@link #readFolded} is held to (the
     * tests and the benchmark compare both ways, {@link #readTablesAlways}). It costs the account's whole history
     * replayed through the projections into temporary tables, seconds for a big account.
     *
     * @throws BadInstant when the account did not exist yet at that instant
     */
    public <T> T read(String accountId, Instant at, Supplier<T> reads) {
        // Reading the events holds no connection for long (Axon pages them); the replay and the reads do.
        AccountEvents prefix = eventsUpTo(accountId, at);
        awaitTurn();
        return inState(new State(this, at, prefix), () -> readModel.read(prefix.events(), reads));
    }

    /**
     * Runs {@code reads} as of {@code at} without building the read tables as of the instant (no temporary tables,
     * no events replayed through the projections): the account's reads answer from its
     * events folded in memory ({@link AccountSnapshot}, through {@link AsOfScope}), the network maps from the
     * state's projector. A read of something the fold does not hold fails rather than answer from today's tables.
     *
     * @throws BadInstant when the account did not exist yet at that instant
     */
    public <T> T readFolded(String accountId, Instant at, Supplier<T> reads) {
        AccountEvents prefix = eventsUpTo(accountId, at);
        awaitTurn();
        State state = new State(this, at, prefix);
        return inState(state, () -> AsOfScope.run(accountId, state::snapshot, reads));
    }

    /** The account's events up to {@code at}; a 400 when it did not exist yet. */
    private AccountEvents eventsUpTo(String accountId, Instant at) {
        return events.upTo(accountId, at).orElseThrow(() ->
                new BadInstant("query parameter 'as_of' lies before the account existed: " + at));
    }

    /**
     * Whether every as-of read builds the read tables as of the instant instead of folding the events
     * ({@link #readFolded}); off in a server. For the tests and the benchmark that compare both ways.
     */
    public boolean readTablesAlways() {
        return readTablesAlways;
    }

    public void readTablesAlways(boolean always) {
        readTablesAlways = always;
    }

    private void awaitTurn() {
        try {
            if (!turns.tryAcquire(turnTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new Busy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Busy();
        }
    }

    /** Runs {@code reads} with {@code state} current on this thread, then gives back the turn it was granted. */
    private <T> T inState(State state, Supplier<T> reads) {
        State previous = CURRENT.get();
        CURRENT.set(state);
        try {
            return reads.get();
        } finally {
            state.releaseProjector();
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
            turns.release();
        }
    }

    /** The state the current thread reads as of, if it reads one. */
    public static Optional<State> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /** The as-of instant while reading one, else the wall clock: what "now" means to a read (a key's validity). */
    public static Instant now() {
        State state = CURRENT.get();
        return state == null ? Instant.now() : state.at();
    }

    /** The network maps of an account after exactly these events, computed as the live projector does. */
    public NetworkMapProjector projectorOf(AccountEvents prefix) {
        NetworkMapProjector projector = projectorOf(prefix.accountId(), prefix.lastSequence(), () -> prefix);
        release(projector);
        return projector;
    }

    /**
     * The maps of the state after the account's event {@code lastSequence}: cached; else an earlier state's
     * projector no read is using, taken out of the cache and fed only the events since (its graph folds them, its
     * maps are computed anew when asked for); else the whole history replayed. The caller holds the projector as a
     * lease until {@link #release}: a leased projector is never advanced.
     */
    private NetworkMapProjector projectorOf(String accountId, long lastSequence, Supplier<AccountEvents> prefix) {
        StateKey key = new StateKey(accountId, lastSequence);
        StateKey earlier = null;
        NetworkMapProjector base = null;
        synchronized (projectors) {
            NetworkMapProjector cached = projectors.get(key);
            if (cached != null) {
                leased.merge(cached, 1, Integer::sum);
                return cached;
            }
            for (Map.Entry<StateKey, NetworkMapProjector> entry : projectors.entrySet()) {
                StateKey k = entry.getKey();
                if (k.accountId().equals(accountId) && k.lastSequence() < lastSequence
                        && !leased.containsKey(entry.getValue())
                        && (earlier == null || k.lastSequence() > earlier.lastSequence())) {
                    earlier = k;
                }
            }
            if (earlier != null) {
                base = projectors.remove(earlier);
                leased.merge(base, 1, Integer::sum); // nobody else may take it while it advances
            }
        }
        NetworkMapProjector projector;
        if (base == null) {
            projector = replay(prefix.get().events());
        } else {
            try {
                List<DomainEventMessage<?>> upTo = prefix.get().events();
                int since = upTo.size();
                while (since > 0 && upTo.get(since - 1).getSequenceNumber() > earlier.lastSequence()) {
                    since--;
                }
                projector = advance(base, upTo.subList(since, upTo.size()));
            } finally {
                release(base);
            }
        }
        synchronized (projectors) {
            projectors.put(key, projector);
            leased.merge(projector, 1, Integer::sum);
        }
        return projector;
    }

    /** Ends one lease of a projector {@link #projectorOf} handed out. */
    private void release(NetworkMapProjector projector) {
        synchronized (projectors) {
            leased.computeIfPresent(projector, (p, n) -> n == 1 ? null : n - 1);
        }
    }

    /**
     * Empties the caches of network maps and folded read models, so that the next read of every state computes them
     * (the benchmark's cold reads).
     */
    public void forgetNetworkMaps() {
        synchronized (projectors) {
            projectors.clear();
        }
        synchronized (snapshots) {
            snapshots.clear();
        }
    }

    /** The read model of the state after the account's event {@code lastSequence}, folded once and cached. */
    private AccountSnapshot snapshotOf(String accountId, long lastSequence, Supplier<AccountEvents> prefix) {
        StateKey key = new StateKey(accountId, lastSequence);
        synchronized (snapshots) {
            AccountSnapshot cached = snapshots.get(key);
            if (cached != null) {
                return cached;
            }
        }
        // folded outside the lock (two reads of one new state may both fold it; the same snapshot either way)
        AccountSnapshot snapshot = folds.snapshot(prefix.get());
        synchronized (snapshots) {
            snapshots.put(key, snapshot);
        }
        return snapshot;
    }

    /**
     * A fresh projector fed the events, each staged at its sequence number. It computes a peer's map only when a
     * read asks for it ({@link NetworkMapProjector#computingOnDemand}): a network map as of an instant costs the
     * graph and one map, not the maps of every peer of the account.
     */
    static NetworkMapProjector replay(List<DomainEventMessage<?>> events) {
        return advance(NetworkMapProjector.computingOnDemand(), events);
    }

    /** The projector fed the events (its maps are computed anew when asked for). */
    static NetworkMapProjector advance(NetworkMapProjector projector, List<DomainEventMessage<?>> events) {
        for (DomainEventMessage<?> event : events) {
            if (event.getPayload() instanceof AccountEvent accountEvent) {
                projector.stage(accountEvent, event.getSequenceNumber());
            }
        }
        projector.flush();
        return projector;
    }

    private record StateKey(String accountId, long lastSequence) {
    }

    /**
     * One as-of read in progress: the instant, the account's events up to it, their read model and network maps
     * (both built when first asked for, cached per state).
     */
    public static final class State {
        private final PointInTime owner;
        private final Instant at;
        private final AccountEvents events;
        private NetworkMapProjector projector;

        State(PointInTime owner, Instant at, AccountEvents events) {
            this.owner = owner;
            this.at = at;
            this.events = events;
        }

        public Instant at() {
            return at;
        }

        /** The account's read model then, folded from its events. */
        AccountSnapshot snapshot() {
            return owner.snapshotOf(events.accountId(), events.lastSequence(), () -> events);
        }

        /** The account's events up to the instant. */
        public AccountEvents events() {
            return events;
        }

        /** The state's network maps; leased until the read ends, so no other read advances them meanwhile. */
        public synchronized NetworkMapProjector projector() {
            if (projector == null) {
                projector = owner.projectorOf(events.accountId(), events.lastSequence(), () -> events);
            }
            return projector;
        }

        synchronized void releaseProjector() {
            if (projector != null) {
                owner.release(projector);
                projector = null;
            }
        }
    }
}

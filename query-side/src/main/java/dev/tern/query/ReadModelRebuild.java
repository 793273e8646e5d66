package dev.tern.query;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import dev.tern.query.jdbc.CopyRows;
import dev.tern.query.jdbc.WriteBehind;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.annotation.ClasspathParameterResolverFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Drops and rebuilds read tables from the event store: every projection of the {@code read-model} processing
 * group, or one named projection. The projections' reset handlers truncate their tables, then the events up to the
 * position the read-model processor has reached are read straight from the storage engine and handed to the chosen
 * projections only, all in one transaction. The processor is stopped meanwhile (and started
 * again after, when it ran before), so it resumes exactly where the rebuilt tables end. Axon's own reset cannot do
 * this for one projection: it resets and replays every handler of the processor.
 *
 * <p>Reads see the tables as they were until the rebuild commits, then the rebuilt ones, never a partial table;
 * writes are accepted meanwhile, but the read model (and so read-your-writes) takes them in only after the rebuild. The audit
 * trail keeps its rows (ids are event positions, a replay skips existing ones and restores missing ones) and is
 * rebuilt only with everything: its entries name things as the other tables stood before each event. Live state
 * that is no projection ({@code peer_status}, {@code token_usage}) is kept. With several nodes, the read-model
 * processor's token must be free: a node holding it makes the rebuild fail instead of racing it.
 *
 * <p>A replay would spend its time in round trips to PostgreSQL, one per statement (docs/benchmarks.md, issue 12):
 * the rebuilding thread holds every projection's writes ({@link WriteBehind}, in their order, sent every
 * {@value #STATEMENTS_HELD} statements in a few round trips) and the audit rows ({@link RebuildHeldWrites}, streamed
 * every {@value #BATCH_SIZE} events into a {@code COPY} PostgreSQL takes in while the replay goes on); the audit
 * names things from what it saw of the events instead of reading the tables back. The
 * tables most events rewrite (peers, memberships) are folded in memory and only their final rows written, at the end
 * ({@link dev.tern.query.jdbc.TableWrites}). A reader thread fetches and deserialises the events ahead
 * ({@link EventsAhead}), so reading overlaps with the projections' and PostgreSQL's work.
 */
@Component
public class ReadModelRebuild {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ReadModelRebuild.class);
    /** How long the processor may take to stop, or to claim its segment after a start, under load. */
    private static final Duration PROCESSOR_SETTLE = Duration.ofSeconds(15);
    private static final int RESUME_ATTEMPTS = 3;
    /** Events per progress report. */
    static final int BATCH_SIZE = 500;
    /**
     * The projections' held statements are sent once this many wait (and at the end): each flush ends the audit
     * rows' streaming {@code COPY} on the connection, which then starts anew.
     */
    static final int STATEMENTS_HELD = 20_000;
    /** The audit projection's name: not rebuilt on its own (see the class comment). */
    public static final String AUDIT = "audit";
    private static final int SEGMENT = 0;
    /**
     * Projections that write each other's tables, so one cannot be truncated and replayed without the other:
     * {@code peers.PeerProjection} counts setup-key usage in rm_setup_keys.
     */
    private static final Map<String, Set<String>> REBUILT_TOGETHER = Map.of(
            "peers", Set.of("setupkeys"),
            "setupkeys", Set.of("peers"));

    private final EventProcessingConfiguration processing;
    private final ApplicationContext context;
    private final EventStorageEngine storage;
    private final TokenStore tokens;
    private final TransactionTemplate transactions;
    private final JdbcTemplate jdbc;
    private final WriteBehind writes;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Map<String, Object> projections;

    public ReadModelRebuild(EventProcessingConfiguration processing, ApplicationContext context,
                            EventStorageEngine storage, TokenStore tokens, PlatformTransactionManager transactionManager,
                            JdbcTemplate jdbc) {
        this.processing = processing;
        this.context = context;
        this.storage = storage;
        this.tokens = tokens;
        this.transactions = new TransactionTemplate(transactionManager);
        this.jdbc = jdbc;
        this.writes = new WriteBehind(jdbc);
    }

    /** How far a rebuild is: events handed to the projections out of those it will hand them. */
    public record Progress(long done, long total, Duration elapsed) {
        public double eventsPerSecond() {
            double seconds = elapsed.toNanos() / 1e9;
            return seconds <= 0 ? 0 : done / seconds;
        }

        /** Time left at the rate so far; empty before the first event. */
        public Optional<Duration> remaining() {
            double rate = eventsPerSecond();
            if (done == 0 || rate <= 0) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofMillis((long) ((total - done) / rate * 1000)));
        }
    }

    @FunctionalInterface
    public interface ProgressListener {
        void progress(Progress progress);
    }

    /** What a finished rebuild did. */
    public record Result(List<String> projections, long events, Duration elapsed) {
    }

    /** A projection name nobody knows, or one that cannot be rebuilt alone; the message lists the known ones. */
    public static final class UnknownProjectionException extends IllegalArgumentException {
        UnknownProjectionException(String message) {
            super(message);
        }
    }

    /** A rebuild is already running in this process, or another node holds the read-model processor's token. */
    public static final class RebuildUnavailableException extends IllegalStateException {
        public RebuildUnavailableException(String message) {
            super(message);
        }
    }

    /** The names {@code --projection} takes: every read-model projection but the audit trail, sorted. */
    public SortedSet<String> projectionNames() {
        SortedSet<String> names = new TreeSet<>(projections().keySet());
        names.remove(AUDIT);
        return names;
    }

    /** Every projection, blocking until done. */
    public Result rebuild() {
        return rebuild(Optional.empty(), progress -> { });
    }

    /**
     * Rebuilds every projection ({@code projection} empty) or the named one (with those it shares tables with),
     * blocking until done and reporting progress after every batch.
     *
     * @throws UnknownProjectionException when the name is not one of {@link #projectionNames()}
     * @throws RebuildUnavailableException when a rebuild already runs or another node holds the token
     */
    public Result rebuild(Optional<String> projection, ProgressListener listener) {
        List<String> chosen = choose(projection);
        if (!running.compareAndSet(false, true)) {
            throw new RebuildUnavailableException("a read-model rebuild is already running");
        }
        try {
            StreamingEventProcessor processor = processor();
            boolean wasRunning = processor.isRunning();
            if (wasRunning) {
                stop(processor);
            }
            try {
                return replay(chosen, listener);
            } finally {
                if (wasRunning) {
                    resume(processor);
                }
            }
        } finally {
            running.set(false);
        }
    }

    /** Validates a name (or none = everything) into the projections to rebuild, in the processor's order. */
    public List<String> choose(Optional<String> projection) {
        Map<String, Object> all = projections();
        if (projection.isEmpty()) {
            return List.copyOf(all.keySet());
        }
        String name = projection.get();
        if (AUDIT.equals(name)) {
            throw new UnknownProjectionException("the audit trail is rebuilt only with every projection (replay "
                    + "without --projection); projections: " + String.join(", ", projectionNames()));
        }
        if (!projectionNames().contains(name)) {
            throw new UnknownProjectionException("unknown projection '" + name + "'; projections: "
                    + String.join(", ", projectionNames()));
        }
        Set<String> together = REBUILT_TOGETHER.getOrDefault(name, Set.of());
        return all.keySet().stream().filter(n -> n.equals(name) || together.contains(n)).toList();
    }

    private Result replay(List<String> chosen, ProgressListener listener) {
        long started = System.nanoTime();
        List<AnnotationEventHandlerAdapter> handlers = chosen.stream().map(name -> adapter(projections().get(name)))
                .toList();
        List<RebuildHeldWrites> holders = chosen.stream().map(projections()::get)
                .filter(RebuildHeldWrites.class::isInstance).map(RebuildHeldWrites.class::cast).toList();
        GapAwareTrackingToken upTo = claimPosition();
        try {
            // One transaction: readers see the old tables until the rebuild commits, then the rebuilt ones, never
            // a table half replayed (the resets DELETE rather than TRUNCATE, so they do not lock readers out).
            WriteBehind.hold();
            holders.forEach(RebuildHeldWrites::holdWrites);
            long done = transactions.execute(status -> {
                try {
                    return replay(handlers, holders, upTo, listener, started);
                } catch (RuntimeException | Error e) {
                    // a COPY still streaming would keep the connection from rolling back
                    CopyRows.cancelOpenCopy();
                    throw e;
                }
            });
            return new Result(chosen, done, Duration.ofNanos(System.nanoTime() - started));
        } finally {
            holders.forEach(RebuildHeldWrites::stopHoldingWrites);
            WriteBehind.stop();
            if (upTo != null) {
                transactions.executeWithoutResult(status -> tokens.releaseClaim(QuerySideConfiguration.READ_MODEL,
                        SEGMENT));
            }
        }
    }

    private long replay(List<AnnotationEventHandlerAdapter> handlers, List<RebuildHeldWrites> holders,
                        GapAwareTrackingToken upTo, ProgressListener listener, long started) {
        handlers.forEach(AnnotationEventHandlerAdapter::prepareReset);
        long total = upTo == null ? 0 : countEvents(upTo);
        long done = 0;
        listener.progress(new Progress(0, total, Duration.ofNanos(System.nanoTime() - started)));
        if (upTo == null) {
            return 0;
        }
        try (EventsAhead events = new EventsAhead(storage, upTo)) {
            long inBatch = 0;
            for (TrackedEventMessage<?> event = events.next(); event != null; event = events.next()) {
                handle(handlers, event);
                done++;
                if (++inBatch == BATCH_SIZE) {
                    inBatch = 0;
                    flushHeldWrites(holders);
                    listener.progress(new Progress(done, Math.max(total, done),
                            Duration.ofNanos(System.nanoTime() - started)));
                }
            }
        }
        writes.flushAndRelease();
        holders.forEach(RebuildHeldWrites::finishHeldWrites);
        listener.progress(new Progress(done, done, Duration.ofNanos(System.nanoTime() - started)));
        return done;
    }

    /**
     * The events up to the processor's position (its gaps left out), read and deserialised by a thread of its own
     * while the rebuilding thread hands the ones before to the projections: reading is about a third of a replay's
     * work (docs/benchmarks.md, the scan), and it overlaps with the projections' and PostgreSQL's. The reader runs
     * at most {@value #READ_AHEAD_BATCHES} batches ahead, each batch fetched by the storage engine in a transaction
     * of its own: the events are committed ones, the rebuild's transaction need not read them.
     */
    static final class EventsAhead implements AutoCloseable {
        private static final int READ_AHEAD_BATCHES = 8;
        private static final List<TrackedEventMessage<?>> END = List.of();
        private final BlockingQueue<List<TrackedEventMessage<?>>> batches =
                new ArrayBlockingQueue<>(READ_AHEAD_BATCHES);
        private final Thread reader;
        private volatile boolean closed;
        private volatile Throwable failure;
        private Iterator<TrackedEventMessage<?>> current = Collections.emptyIterator();
        private boolean ended;

        EventsAhead(EventStorageEngine storage, GapAwareTrackingToken upTo) {
            reader = new Thread(() -> read(storage, upTo), "read-model-rebuild-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read(EventStorageEngine storage, GapAwareTrackingToken upTo) {
            try (Stream<? extends TrackedEventMessage<?>> stream = storage.readEvents(null, false)) {
                Iterator<? extends TrackedEventMessage<?>> events = stream.iterator();
                List<TrackedEventMessage<?>> batch = new ArrayList<>(BATCH_SIZE);
                while (!closed && events.hasNext()) {
                    TrackedEventMessage<?> event = events.next();
                    long index = event.trackingToken().position().orElseThrow();
                    if (index > upTo.getIndex()) {
                        break;
                    }
                    if (!upTo.getGaps().contains(index)) {
                        // deserialised here, not on the rebuilding thread (Axon deserialises on first access)
                        event.getPayload();
                        event.getMetaData();
                        batch.add(event);
                        if (batch.size() == BATCH_SIZE) {
                            hand(batch);
                            batch = new ArrayList<>(BATCH_SIZE);
                        }
                    }
                }
                if (!batch.isEmpty()) {
                    hand(batch);
                }
            } catch (Throwable e) {
                // handed on, so the rebuild fails instead of committing what came before
                failure = e;
            } finally {
                hand(END);
            }
        }

        /** Waits for room, unless the rebuild gave up on the events. */
        private void hand(List<TrackedEventMessage<?>> batch) {
            try {
                while (!closed && !batches.offer(batch, 100, TimeUnit.MILLISECONDS)) {
                    // the rebuilding thread is busy with the batches before
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }

        /** The next event in global order, or null after the last. */
        TrackedEventMessage<?> next() {
            while (!current.hasNext()) {
                if (ended) {
                    return null;
                }
                List<TrackedEventMessage<?>> batch;
                try {
                    batch = batches.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for events to replay", e);
                }
                if (batch == END) {
                    ended = true;
                    if (failure != null) {
                        throw new IllegalStateException("reading the events to replay failed: "
                                + failure.getMessage(), failure);
                    }
                    return null;
                }
                current = batch.iterator();
            }
            return current.next();
        }

        /** Stops the reader (the rebuild is done or failed) and waits for it to let go of its connection. */
        @Override
        public void close() {
            closed = true;
            batches.clear();
            try {
                reader.join(PROCESSOR_SETTLE.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void flushHeldWrites(List<RebuildHeldWrites> holders) {
        writes.flushWhenHolding(STATEMENTS_HELD);
        holders.forEach(RebuildHeldWrites::flushHeldWrites);
    }

    private static void handle(List<AnnotationEventHandlerAdapter> handlers, EventMessage<?> event) {
        for (AnnotationEventHandlerAdapter handler : handlers) {
            try {
                handler.handle(event);
            } catch (Exception e) {
                throw new IllegalStateException("projection " + handler.getTargetType().getSimpleName()
                        + " failed at event " + event.getIdentifier() + " (" + event.getPayloadType()
                        .getSimpleName() + "): " + e.getMessage(), e);
            }
        }
    }

    /**
     * Claims the read-model processor's token and returns the position it stands at (null when the processor has
     * never run: then there is nothing to replay). Only the processor's single segment is supported.
     */
    private GapAwareTrackingToken claimPosition() {
        return transactions.execute(status -> {
            int[] segments = tokens.fetchSegments(QuerySideConfiguration.READ_MODEL);
            if (segments.length == 0) {
                return null;
            }
            if (segments.length > 1) {
                throw new RebuildUnavailableException("the read-model processor has " + segments.length
                        + " segments; a rebuild supports one");
            }
            TrackingToken token;
            try {
                token = tokens.fetchToken(QuerySideConfiguration.READ_MODEL, SEGMENT);
            } catch (UnableToClaimTokenException e) {
                throw new RebuildUnavailableException("another tern-server holds the read-model processor's token; "
                        + "stop its read-model processor (or the node) first");
            }
            TrackingToken current = WrappedToken.unwrapLowerBound(token);
            if (current == null) {
                return null;
            }
            return WrappedToken.unwrap(current, GapAwareTrackingToken.class)
                    .orElseThrow(() -> new IllegalStateException("unexpected token " + current));
        });
    }

    private long countEvents(GapAwareTrackingToken upTo) {
        String table = AxonSchemas.eventSchema().domainEventTable();
        String index = AxonSchemas.eventSchema().globalIndexColumn();
        Long below = jdbc.queryForObject("SELECT count(*) FROM " + table + " WHERE " + index + " <= ?", Long.class,
                upTo.getIndex());
        Collection<Long> gaps = upTo.getGaps();
        if (gaps.isEmpty()) {
            return below;
        }
        Long inGaps = jdbc.queryForObject("SELECT count(*) FROM " + table + " WHERE " + index + " = ANY(?)",
                Long.class, (Object) gaps.toArray(Long[]::new));
        return below - inGaps;
    }

    /**
     * Stops the processor and waits for its worker: {@code shutDown()} gives the worker a bounded time and returns
     * while one still finishing a batch under load may run on, holding its segment.
     */
    private static void stop(StreamingEventProcessor processor) {
        processor.shutDown();
        if (!awaitCondition(() -> !(processor instanceof TrackingEventProcessor tracking)
                || tracking.activeProcessorThreads() == 0, PROCESSOR_SETTLE)) {
            throw new RebuildUnavailableException("the read-model processor did not stop within "
                    + PROCESSOR_SETTLE.toSeconds() + " s; try again");
        }
    }

    /**
     * Starts the processor again and checks that it claimed its segment. Seen under load: a processor started right
     * after a rebuild kept sleeping in its worker launcher and never claimed the free token, so the read model
     * silently stopped following the event store. A processor that has not claimed its segment in time is stopped
     * and started again; one that still does not is an error, never silence.
     */
    private static void resume(StreamingEventProcessor processor) {
        for (int attempt = 1; ; attempt++) {
            processor.start();
            if (awaitCondition(() -> !processor.processingStatus().isEmpty(), PROCESSOR_SETTLE)) {
                return;
            }
            if (attempt == RESUME_ATTEMPTS) {
                throw new IllegalStateException("the read-model processor did not resume after the rebuild ("
                        + RESUME_ATTEMPTS + " starts); restart tern-server");
            }
            LOG.warn("the read-model processor did not claim its segment {} s after the rebuild; starting it again",
                    PROCESSOR_SETTLE.toSeconds());
            stop(processor);
        }
    }

    private static boolean awaitCondition(java.util.function.BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private StreamingEventProcessor processor() {
        return processing.eventProcessor(QuerySideConfiguration.READ_MODEL, StreamingEventProcessor.class)
                .orElseThrow(() -> new IllegalStateException("no " + QuerySideConfiguration.READ_MODEL
                        + " streaming processor is configured"));
    }

    private static AnnotationEventHandlerAdapter adapter(Object projection) {
        Class<?> type = AopUtils.getTargetClass(projection);
        return new AnnotationEventHandlerAdapter(projection, ClasspathParameterResolverFactory.forClass(type));
    }

    /**
     * Every bean of the read-model processing group, named after its package ({@code dev.tern.query.peers} →
     * {@code peers}), in the order the processor hands them events (the audit first).
     */
    private Map<String, Object> projections() {
        Map<String, Object> found = projections;
        if (found == null) {
            List<Object> beans = context.getBeansWithAnnotation(ProcessingGroup.class).values().stream()
                    .filter(bean -> {
                        ProcessingGroup group = AnnotationUtils.findAnnotation(AopUtils.getTargetClass(bean),
                                ProcessingGroup.class);
                        return group != null && QuerySideConfiguration.READ_MODEL.equals(group.value());
                    })
                    .sorted(AnnotationAwareOrderComparator.INSTANCE)
                    .collect(Collectors.toCollection(ArrayList::new));
            found = new LinkedHashMap<>();
            for (Object bean : beans) {
                String name = name(AopUtils.getTargetClass(bean));
                if (found.putIfAbsent(name, bean) != null) {
                    throw new IllegalStateException("two read-model projections in package " + name);
                }
            }
            projections = found;
        }
        return found;
    }

    private static String name(Class<?> type) {
        String pkg = type.getPackageName();
        return pkg.substring(pkg.lastIndexOf('.') + 1);
    }
}

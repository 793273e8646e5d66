package dev.tern.query;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.axonframework.config.Configuration;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@link ReadYourWrites} by comparing the event store's head (the highest committed global index when called)
 * with the position, in every segment, of the streaming processor of each awaited processing group: by default
 * only the read-model processor ({@link QuerySideConfiguration#READ_MODEL}); {@link #awaiting} gives a variant
 * for other groups (the API waits for the in-memory network projector that way without the query side knowing
 * it). A group's processor is the one Axon assigned to it, or else the processor of that name.
 *
 * <p>A segment has covered the head when its token has reached it and none of the token's gaps below it is an
 * event that exists now. Gaps matter: a transaction that committed late can sit below a position the processor
 * has passed, and our own write may be exactly that. Gaps left by rolled-back appends never fill, so they do not
 * hold the caller up.
 *
 * <p>Segments this node processes are judged by the processor's status, which Axon advances only after the
 * batch (read tables and token together) has committed. Segments claimed by other nodes are judged by their
 * tokens in token_entry, committed in the same transaction as those nodes' table writes.
 */
@Component
public class ProcessorReadYourWrites implements ReadYourWrites {
    private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(1).toNanos();
    private static final long MAX_PAUSE_NANOS = Duration.ofMillis(5).toNanos();

    private final JdbcTemplate jdbc;
    private final ObjectProvider<EventProcessingConfiguration> processing;
    private final ObjectProvider<Configuration> axon;
    private final List<String> processingGroups;

    /** Waits for the read-model processor. */
    @Autowired
    public ProcessorReadYourWrites(JdbcTemplate jdbc, ObjectProvider<EventProcessingConfiguration> processing,
                                   ObjectProvider<Configuration> axon) {
        this(jdbc, processing, axon, List.of(QuerySideConfiguration.READ_MODEL));
    }

    /** Waits until the processor of every one of {@code processingGroups} has caught up. */
    public ProcessorReadYourWrites(JdbcTemplate jdbc, ObjectProvider<EventProcessingConfiguration> processing,
                                   ObjectProvider<Configuration> axon, Collection<String> processingGroups) {
        if (processingGroups.isEmpty()) {
            throw new IllegalArgumentException("no processing group to wait for");
        }
        this.jdbc = jdbc;
        this.processing = processing;
        this.axon = axon;
        this.processingGroups = List.copyOf(new LinkedHashSet<>(processingGroups));
    }

    /**
     * The same wait for other processing groups (instead of this instance's), e.g. a projection of a module the
     * query side does not know.
     */
    public ProcessorReadYourWrites awaiting(Collection<String> otherProcessingGroups) {
        return new ProcessorReadYourWrites(jdbc, processing, axon, otherProcessingGroups);
    }

    /** The processing groups this instance waits for, in the order given. */
    public List<String> processingGroups() {
        return processingGroups;
    }

    @Override
    public boolean awaitCaughtUp(Duration timeout) {
        Long head = jdbc.queryForObject("SELECT MAX(global_index) FROM domain_event_entry", Long.class);
        if (head == null) {
            return true; // an empty store: there is nothing to wait for
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_NANOS;
        while (!hasProcessed(head)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(pause, left));
            if (Thread.currentThread().isInterrupted()) {
                return false;
            }
            pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
        }
        return true;
    }

    /** True when every segment of every awaited processor has handled every event up to {@code head}. */
    boolean hasProcessed(long head) {
        for (String group : processingGroups) {
            if (!hasProcessed(group, head)) {
                return false;
            }
        }
        return true;
    }

    private boolean hasProcessed(String group, long head) {
        Optional<StreamingEventProcessor> processor = processor(group);
        if (processor.isEmpty()) {
            return false;
        }
        Map<Integer, TrackingToken> tokens = new HashMap<>();
        double localShare = 0;
        for (EventTrackerStatus status : processor.get().processingStatus().values()) {
            if (status.isErrorState()) {
                return false;
            }
            tokens.put(status.getSegment().getSegmentId(), status.getTrackingToken());
            localShare += 1.0 / (status.getSegment().getMask() + 1);
        }
        if (localShare < 0.999_999) {
            // Not every segment is processed here: take the others' committed positions from the token store.
            Map<Integer, TrackingToken> stored = storedTokens(processor.get().getName());
            if (stored.isEmpty()) {
                return false;
            }
            stored.forEach(tokens::putIfAbsent);
        }
        SortedSet<Long> openGaps = new TreeSet<>();
        for (TrackingToken token : tokens.values()) {
            if (token == null || token.position().isEmpty() || token.position().getAsLong() < head) {
                return false;
            }
            if (WrappedToken.unwrapLowerBound(token) instanceof GapAwareTrackingToken gapAware) {
                openGaps.addAll(gapAware.getGaps().headSet(head + 1));
            }
        }
        return openGaps.isEmpty() || !anyEventExists(openGaps);
    }

    /** Every segment's token as last committed to token_entry (null where a segment has none yet). */
    private Map<Integer, TrackingToken> storedTokens(String processorName) {
        Configuration configuration = axon.getIfAvailable();
        if (configuration == null) {
            return Map.of();
        }
        Serializer serializer = configuration.serializer();
        Map<Integer, TrackingToken> tokens = new HashMap<>();
        jdbc.query("SELECT segment, token, token_type FROM token_entry WHERE processor_name = ?", rs -> {
            byte[] token = rs.getBytes("token");
            String type = rs.getString("token_type");
            tokens.put(rs.getInt("segment"), token == null || type == null ? null
                    : serializer.deserialize(new SimpleSerializedObject<>(token, byte[].class, type, null)));
        }, processorName);
        return tokens;
    }

    private boolean anyEventExists(SortedSet<Long> globalIndexes) {
        String array = globalIndexes.stream().map(String::valueOf).collect(Collectors.joining(",", "{", "}"));
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM domain_event_entry WHERE global_index = ANY (?::bigint[]))",
                Boolean.class, array));
    }

    private Optional<StreamingEventProcessor> processor(String group) {
        EventProcessingConfiguration configuration = processing.getIfAvailable();
        return configuration == null ? Optional.empty()
                : configuration.eventProcessorByProcessingGroup(group, StreamingEventProcessor.class)
                        .or(() -> configuration.eventProcessor(group, StreamingEventProcessor.class));
    }
}

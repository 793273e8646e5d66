package dev.tern.query;

import java.sql.Array;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.locks.LockSupport;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * {@link ReadYourWrites} by comparing the event store's head (the highest committed global index when called)
 * with the tokens of this node's read-model processor.
 *
 * <p>A segment has covered the head when its token has reached it and none of the token's gaps below it is an
 * event that exists now. Gaps matter: a transaction that committed late can sit below a position the processor
 * has passed, and our own write may be exactly that. Gaps left by rolled-back appends never fill, so they do not
 * hold the caller up. All segments must be claimed on this node (a single node claims them all).
 */
@Component
public class ProcessorReadYourWrites implements ReadYourWrites {
    private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(1).toNanos();
    private static final long MAX_PAUSE_NANOS = Duration.ofMillis(5).toNanos();

    private final JdbcTemplate jdbc;
    private final ObjectProvider<EventProcessingConfiguration> processing;

    public ProcessorReadYourWrites(JdbcTemplate jdbc, ObjectProvider<EventProcessingConfiguration> processing) {
        this.jdbc = jdbc;
        this.processing = processing;
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

    /** True when every segment of the read-model processor has handled every event up to {@code head}. */
    boolean hasProcessed(long head) {
        Optional<StreamingEventProcessor> processor = readModelProcessor();
        if (processor.isEmpty()) {
            return false;
        }
        Map<Integer, EventTrackerStatus> statuses = processor.get().processingStatus();
        double claimedShare = 0;
        SortedSet<Long> openGaps = new TreeSet<>();
        for (EventTrackerStatus status : statuses.values()) {
            TrackingToken token = status.getTrackingToken();
            if (status.isErrorState() || token == null || token.position().isEmpty()
                    || token.position().getAsLong() < head) {
                return false;
            }
            if (WrappedToken.unwrapLowerBound(token) instanceof GapAwareTrackingToken gapAware) {
                openGaps.addAll(gapAware.getGaps().headSet(head + 1));
            }
            claimedShare += 1.0 / (status.getSegment().getMask() + 1);
        }
        if (claimedShare < 0.999_999) {
            return false; // some segment is not (yet) claimed here: its progress is unknown
        }
        return openGaps.isEmpty() || !anyEventExists(openGaps);
    }

    private boolean anyEventExists(SortedSet<Long> globalIndexes) {
        return Boolean.TRUE.equals(jdbc.execute((ConnectionCallback<Boolean>) connection -> {
            Array array = connection.createArrayOf("bigint", globalIndexes.toArray());
            try {
                return jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM domain_event_entry WHERE global_index = ANY (?))",
                        Boolean.class, array);
            } finally {
                array.free();
            }
        }));
    }

    private Optional<StreamingEventProcessor> readModelProcessor() {
        EventProcessingConfiguration configuration = processing.getIfAvailable();
        return configuration == null ? Optional.empty()
                : configuration.eventProcessor(QuerySideConfiguration.READ_MODEL, StreamingEventProcessor.class);
    }
}

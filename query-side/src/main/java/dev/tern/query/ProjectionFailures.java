package dev.tern.query;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Which projections are stopped at an event they cannot handle. A projection never skips an event: the failure
 * rolls its batch back, its processor keeps its token before the event and retries with backoff (Axon's error
 * mode), and this registry says so to health and metrics until the event goes through (a database that was away
 * is back, or a fixed release handles it). The first failure at an event is logged once as an error naming the
 * event; retries of the same event only count.
 */
@Component
public class ProjectionFailures {
    private static final Logger log = LoggerFactory.getLogger(ProjectionFailures.class);

    /** A processor stopped at {@code event} (see {@link #describe}) since {@code since}. */
    public record Blocked(String eventId, String event, String error, Instant since, long attempts) {
    }

    private final Clock clock;
    private final Map<String, Blocked> blocked = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();

    @Autowired
    public ProjectionFailures() {
        this(Clock.systemUTC());
    }

    public ProjectionFailures(Clock clock) {
        this.clock = clock;
    }

    /** Handling {@code event} failed in {@code processor}; its batch is rolled back and will be retried. */
    public void failed(String processor, EventMessage<?> event, Throwable error) {
        failures.computeIfAbsent(processor, p -> new AtomicLong()).incrementAndGet();
        String errorText = String.valueOf(error).replaceAll("\\s+", " ");
        Blocked now = blocked.compute(processor, (p, previous) -> previous != null
                && previous.eventId().equals(event.getIdentifier())
                ? new Blocked(previous.eventId(), previous.event(), errorText, previous.since(), previous.attempts() + 1)
                : new Blocked(event.getIdentifier(), describe(event), errorText, clock.instant(), 1));
        if (now.attempts() == 1) {
            log.error("projection '{}' stopped at event {}: {}; it retries this event with backoff and does not move "
                    + "past it", processor, now.event(), errorText, error);
        } else {
            log.debug("projection '{}' still stopped at event {} (attempt {}): {}", processor, now.event(),
                    now.attempts(), errorText);
        }
    }

    /** {@code event} went through in {@code processor}: if it had stopped there, it runs again. */
    public void handled(String processor, EventMessage<?> event) {
        if (blocked.isEmpty()) {
            return; // the common case costs one read
        }
        Blocked removed = blocked.get(processor);
        if (removed != null && removed.eventId().equals(event.getIdentifier())
                && blocked.remove(processor, removed)) {
            log.info("projection '{}' handled event {} after {} failed attempts and runs again", processor,
                    removed.event(), removed.attempts());
        }
    }

    /** Processors stopped at an event, by name. */
    public Map<String, Blocked> blocked() {
        return Map.copyOf(blocked);
    }

    public Optional<Blocked> blocked(String processor) {
        return Optional.ofNullable(blocked.get(processor));
    }

    /** Failed handling attempts of this processor since start (each retry of a stuck event counts). */
    public long failureCount(String processor) {
        AtomicLong count = failures.get(processor);
        return count == null ? 0 : count.get();
    }

    /** Type, aggregate, sequence, global position and id of an event, for logs and health. */
    public static String describe(EventMessage<?> event) {
        StringBuilder text = new StringBuilder(event.getPayloadType().getSimpleName()).append(" (");
        if (event instanceof DomainEventMessage<?> domain) {
            text.append("aggregate ").append(domain.getAggregateIdentifier())
                    .append(", sequence ").append(domain.getSequenceNumber()).append(", ");
        }
        if (event instanceof TrackedEventMessage<?> tracked && tracked.trackingToken() != null) {
            tracked.trackingToken().position()
                    .ifPresent(position -> text.append("global position ").append(position).append(", "));
        }
        return text.append("event id ").append(event.getIdentifier()).append(')').toString();
    }
}

package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.events.GroupCreated;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.Ids;
import dev.tern.query.audit.AuditQuery;
import java.time.Duration;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * An event the read tables cannot take stops the read model at that event: it is retried, never skipped, and the
 * stop is reported with the event. This test leaves its read model stopped for good, so it runs in a context (and
 * database) of its own, closed after it.
 */
@TestPropertySource(properties = "tern.test.context=poison-event")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class PoisonEventTest extends ReadModelTestBase {
    @Autowired
    ProjectionFailures failures;
    @Autowired
    EventProcessingConfiguration processing;

    @Test
    void anUnprojectableEventStopsTheReadModelAtThatEventAndNamesIt() {
        AccountHistory account = newAccount();
        String before = account.createGroup("before");
        awaitProjection();
        String poison = Ids.newId();
        // PostgreSQL text cannot hold NUL: the insert fails inside the batch transaction.
        account.append(new GroupCreated(account.accountId, poison, "bad\u0000name", GroupIssuer.API));
        String after = account.createGroup("after");

        // Retried at least once more, and still stopped at the same event: it never moved past it.
        await().atMost(Duration.ofSeconds(60))
                .until(() -> failures.blocked(QuerySideConfiguration.READ_MODEL)
                        .map(blocked -> blocked.attempts() >= 2).orElse(false));
        ProjectionFailures.Blocked blocked = failures.blocked(QuerySideConfiguration.READ_MODEL).orElseThrow();
        assertThat(blocked.event()).startsWith("GroupCreated (aggregate " + account.accountId + ", sequence ")
                .contains("global position ");
        assertThat(blocked.error()).contains("0x00");
        assertThat(failures.failureCount(QuerySideConfiguration.READ_MODEL)).isGreaterThanOrEqualTo(2);
        StreamingEventProcessor processor = processing
                .eventProcessor(QuerySideConfiguration.READ_MODEL, StreamingEventProcessor.class).orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> processor.processingStatus().values().stream()
                .anyMatch(EventTrackerStatus::isErrorState));

        assertThat(groupReads.group(account.accountId, before)).isPresent();
        assertThat(groupReads.group(account.accountId, poison)).isEmpty();
        assertThat(groupReads.group(account.accountId, after)).as("an event after the stop").isEmpty();
        assertThat(auditReads.audit(account.accountId, new AuditQuery(null, null, null, after, null, 0, 10))
                .total()).isZero();
    }
}

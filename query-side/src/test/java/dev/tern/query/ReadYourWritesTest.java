package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.GroupCreated;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.Ids;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.WrappedToken;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Read-your-writes against the real processor: it waits for events the projection has not handled yet. */
class ReadYourWritesTest extends ReadModelTestBase {
    @Autowired
    EventProcessingConfiguration processing;

    @Test
    void waitsUntilTheProjectionHasHandledTheLastEvent() throws Exception {
        AccountHistory account = newAccount();
        awaitProjection();
        StreamingEventProcessor processor = processing
                .eventProcessor(QuerySideConfiguration.READ_MODEL, StreamingEventProcessor.class).orElseThrow();

        processor.shutDown();
        String groupId = Ids.newId();
        try {
            account.append(new GroupCreated(account.accountId, groupId, "late", GroupIssuer.API));
            assertThat(readYourWrites.awaitCaughtUp(Duration.ofMillis(300))).as("times out while stopped").isFalse();
            assertThat(groupReads.group(account.accountId, groupId)).isEmpty();

            CompletableFuture<Boolean> caughtUp = CompletableFuture.supplyAsync(
                    () -> readYourWrites.awaitCaughtUp(Duration.ofSeconds(30)));
            processor.start();
            assertThat(caughtUp.get(60, TimeUnit.SECONDS)).isTrue();
            // no polling here: once awaitCaughtUp said yes, the write must be visible
            assertThat(groupReads.group(account.accountId, groupId)).isPresent();
        } finally {
            if (!processor.isRunning()) {
                processor.start();
            }
        }
    }

    @Test
    void aHoleLeftByARolledBackAppendDoesNotHoldReadersUp() {
        AccountHistory account = newAccount();
        // A failed append (e.g. a lost race on the aggregate's sequence) consumes a global index and never commits.
        long hole = jdbc.queryForObject("SELECT nextval('domain_event_entry_global_index_seq')", Long.class);
        String groupId = account.createGroup("after-the-hole");
        // Far shorter than Axon's 60 s gap timeout: only works if the hole is recognised as empty.
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(20))).isTrue();
        assertThat(groupReads.group(account.accountId, groupId)).isPresent();
        // The processor does still carry the hole as a gap, so the check above was not vacuous.
        StreamingEventProcessor processor = processing
                .eventProcessor(QuerySideConfiguration.READ_MODEL, StreamingEventProcessor.class).orElseThrow();
        assertThat(processor.processingStatus().values()).anySatisfy(status ->
                assertThat(WrappedToken.unwrapLowerBound(status.getTrackingToken()))
                        .isInstanceOfSatisfying(GapAwareTrackingToken.class,
                                token -> assertThat(token.getGaps()).contains(hole)));
    }
}

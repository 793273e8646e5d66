package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.events.AccountEvent;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PolicyCreated;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.StreamableMessageSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A batch of the network-map processor that fails is rolled back and handed over again from its first event (as
 * tern-server configures it: failures propagate instead of being logged and skipped). The projector's graph kept
 * what the batch's earlier events did, so the handler must not apply them a second time; and the events after the
 * failing one wait for it.
 */
class NetworkMapHandlerRetryTest {
    private final InMemoryEventStorageEngine storage = new InMemoryEventStorageEngine();
    private Configuration running;

    /** Another handler of the same processing group that fails at one event while {@link #failing}. */
    @ProcessingGroup(NetworkMapEventHandler.PROCESSING_GROUP)
    static final class FailsOnRename {
        final AtomicBoolean failing = new AtomicBoolean(true);
        final AtomicInteger failures = new AtomicInteger();

        @EventHandler
        void on(PeerRenamed event) {
            if (failing.get()) {
                failures.incrementAndGet();
                throw new IllegalStateException("cannot take " + event);
            }
        }
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.shutdown();
        }
    }

    @Test
    void aFailedBatchIsRetriedWithoutApplyingItsEventsTwiceAndNothingAfterTheFailureIsSkipped() {
        List<AccountEvent> history = List.of(accountCreated(), allGroup(), group("dev"), peer("a", 1), peer("b", 2),
                new PeerAddedToGroup(ACCOUNT, "dev", "a"),
                new PeerRenamed(ACCOUNT, "b", "b", "bee", "bee"),
                new PeerAddedToGroup(ACCOUNT, "dev", "b"),
                new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        for (AccountEvent event : history) {
            storage.appendEvents(GenericEventMessage.asEventMessage(event));
        }
        NetworkMapProjector projector = new NetworkMapProjector();
        FailsOnRename failing = new FailsOnRename();
        running = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> storage)
                .eventProcessing(processing -> processing
                        .registerEventHandler(c -> new NetworkMapEventHandler(projector))
                        .registerEventHandler(c -> failing)
                        .registerListenerInvocationErrorHandler(NetworkMapEventHandler.PROCESSING_GROUP,
                                c -> PropagatingErrorHandler.instance())
                        .registerTokenStore(NetworkMapEventHandler.PROCESSING_GROUP, c -> new InMemoryTokenStore())
                        .registerTrackingEventProcessor(NetworkMapEventHandler.PROCESSING_GROUP,
                                c -> c.eventStore(),
                                c -> TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                                        .andBatchSize(NetworkMapEventHandler.BATCH_SIZE)
                                        .andInitialTrackingToken(StreamableMessageSource::createTailToken)))
                .buildConfiguration();
        running.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> failing.failures.get() >= 2);
        // stopped at the rename: the batch never committed, so no map reflects anything after it
        assertThat(projector.accessiblePeers(ACCOUNT, "a")).isEmpty();

        failing.failing.set(false);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                assertThat(projector.accessiblePeers(ACCOUNT, "a")).extracting(RemotePeer::peerId).containsExactly("b"));
        NetworkMapProjector replayedOnce = new NetworkMapProjector();
        for (int i = 0; i < history.size(); i++) {
            replayedOnce.stage(history.get(i), i);
        }
        replayedOnce.flush();
        assertThat(projector.currentMaps(ACCOUNT)).isEqualTo(replayedOnce.currentMaps(ACCOUNT));
    }
}

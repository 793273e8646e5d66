package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.events.AccountEvent;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PolicyCreated;
import dev.tern.events.UserBlocked;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.StreamableMessageSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter on a real Axon tracking processor, configured as tern-server does (one thread, batches of
 * {@link NetworkMapEventHandler#BATCH_SIZE}, in-memory token store, starting at the oldest event): events reach the
 * projector, a batch is computed once, and a restart rebuilds the same maps.
 */
class NetworkMapEventHandlerAxonTest {
    private final InMemoryEventStorageEngine storage = new InMemoryEventStorageEngine();
    private Configuration running;

    private Configuration start(NetworkMapProjector projector) {
        Configuration configuration = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> storage)
                .eventProcessing(processing -> processing
                        .registerEventHandler(c -> new NetworkMapEventHandler(projector))
                        .registerTokenStore(NetworkMapEventHandler.PROCESSING_GROUP, c -> new InMemoryTokenStore())
                        .registerTrackingEventProcessor(NetworkMapEventHandler.PROCESSING_GROUP,
                                c -> c.eventStore(),
                                c -> TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                                        .andBatchSize(NetworkMapEventHandler.BATCH_SIZE)
                                        .andInitialTrackingToken(StreamableMessageSource::createTailToken)))
                .buildConfiguration();
        configuration.start();
        running = configuration;
        return configuration;
    }

    @AfterEach
    void stop() {
        if (running != null) {
            running.shutdown();
        }
    }

    private static void publish(Configuration configuration, AccountEvent... events) {
        for (AccountEvent event : events) {
            configuration.eventBus().publish(GenericEventMessage.asEventMessage(event));
        }
    }

    @Test
    void eventsFromTheStoreReachTheProjectorAndARestartRebuildsTheSameMaps() {
        NetworkMapProjector first = new NetworkMapProjector();
        Configuration configuration = start(first);
        publish(configuration, accountCreated(), allGroup(), group("dev"), peer("a", 1), peer("b", 2),
                new UserBlocked(ACCOUNT, "someone"),
                new PeerAddedToGroup(ACCOUNT, "dev", "a"), new PeerAddedToGroup(ACCOUNT, "dev", "b"),
                new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(first.accessiblePeers(ACCOUNT, "a")).extracting(RemotePeer::peerId).containsExactly("b"));
        Map<String, PeerNetworkMap> before = first.currentMaps(ACCOUNT);
        // the policy is the 9th event (position 8 in the in-memory store): it produced a's current map
        assertThat(before.get("a").serial()).isEqualTo(8);
        configuration.shutdown();
        running = null;

        NetworkMapProjector second = new NetworkMapProjector();
        start(second);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(second.currentMaps(ACCOUNT)).isEqualTo(before));
    }

    @Test
    void eventsWaitingInTheStoreAreComputedAsOneBatchWhoseMapsCarryItsLastPosition() {
        // in the store before the processor starts: it hands them over in one batch
        for (AccountEvent event : List.of(accountCreated(), allGroup(), group("dev"), peer("a", 1), peer("b", 2),
                new PeerAddedToGroup(ACCOUNT, "dev", "a"), new PeerAddedToGroup(ACCOUNT, "dev", "b"),
                new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))),
                new UserBlocked(ACCOUNT, "someone"))) {
            storage.appendEvents(GenericEventMessage.asEventMessage(event));
        }
        NetworkMapProjector projector = new NetworkMapProjector();
        NetworkMapHub.Subscription ofA = projector.hub().subscribe(ACCOUNT, "a");

        start(projector);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(projector.accessiblePeers(ACCOUNT, "a")).extracting(RemotePeer::peerId).containsExactly("b"));
        // event by event, a's map would have been published four times and carry the policy's position (7)
        PeerNetworkMap map = projector.currentMap(ACCOUNT, "a").orElseThrow();
        assertThat(map.serial()).isEqualTo(8);
        assertThat(ofA.poll()).contains(map);
        assertThat(ofA.poll()).isEmpty();
    }
}

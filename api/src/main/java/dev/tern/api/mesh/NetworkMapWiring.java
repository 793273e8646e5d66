package dev.tern.api.mesh;

import dev.tern.projector.NetworkMapEventHandler;
import dev.tern.projector.NetworkMapHub;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.query.ProjectionFailureReporter;
import dev.tern.query.ProjectionFailures;
import org.axonframework.config.EventProcessingConfigurer;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.messaging.StreamableMessageSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The network projector inside tern-server. The projector keeps every account's graph and peer maps in memory
 * only, so its processor tracks its position in an in-memory token store: every boot starts from the oldest event
 * and rebuilds the maps (same events, same maps and serials). One segment keeps the events in stream order, which
 * the graph relies on. Other beans use {@link NetworkMapProjector} (queries, subscriptions) and
 * {@link NetworkMapHub}.
 */
@Configuration(proxyBeanMethods = false)
public class NetworkMapWiring {

    @Bean
    NetworkMapHub networkMapHub() {
        return new NetworkMapHub();
    }

    @Bean
    NetworkMapProjector networkMapProjector(NetworkMapHub hub) {
        return new NetworkMapProjector(hub);
    }

    /** Axon finds this bean's @EventHandler and assigns it to its processing group. */
    @Bean
    NetworkMapEventHandler networkMapEventHandler(NetworkMapProjector projector) {
        return new NetworkMapEventHandler(projector);
    }

    /** Internal knob for benchmarks (batch size 1 computes maps event by event, as before batching). */
    static final String BATCH_SIZE_PROPERTY = "tern.network-map-batch-size";

    @Autowired
    void configureNetworkMapProcessor(EventProcessingConfigurer processing, Environment environment,
                                      ProjectionFailures failures) {
        String group = NetworkMapEventHandler.PROCESSING_GROUP;
        int batchSize = environment.getProperty(BATCH_SIZE_PROPERTY, Integer.class, NetworkMapEventHandler.BATCH_SIZE);
        processing.registerTokenStore(group, configuration -> new InMemoryTokenStore());
        // Tracking, not pooled streaming: the pooled coordinator polls the JDBC store every 500 ms, which would be
        // the floor of every map push (see QuerySideConfiguration.READ_MODEL).
        processing.registerTrackingEventProcessor(
                group,
                configuration -> configuration.eventStore(),
                configuration -> TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                        // up to this many events per unit of work: the handler computes maps once per batch
                        .andBatchSize(batchSize)
                        .andInitialTrackingToken(StreamableMessageSource::createTailToken));
        // An event the projector cannot take stops the processor at that event (retried with backoff, reported in
        // health and metrics) instead of being logged and skipped, which would leave maps that no replay produces.
        processing.registerListenerInvocationErrorHandler(group, configuration -> PropagatingErrorHandler.instance());
        processing.registerHandlerInterceptor(group, configuration -> new ProjectionFailureReporter(group, failures));
    }
}

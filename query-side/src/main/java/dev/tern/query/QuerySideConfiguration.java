package dev.tern.query;

import dev.tern.query.upcasting.TernRevisionResolver;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.serialization.RevisionResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the query side into a Spring application: import this class (or component-scan {@code dev.tern.query}).
 * It needs a DataSource with the Flyway migrations of this module applied and Axon's JDBC event store and token
 * store (Axon's Spring Boot auto-configuration provides both once a DataSource exists); the scan brings the names
 * of V1's tables and columns for them ({@link AxonSchemas}).
 */
@Configuration(proxyBeanMethods = false)
@ComponentScan(basePackageClasses = QuerySideConfiguration.class)
public class QuerySideConfiguration {

    /**
     * The processing group (and tracking processor) every read-table projection belongs to. A tracking processor,
     * not a pooled streaming one: on the JDBC event store the pooled processor's coordinator gets no availability
     * callback from the stream and polls every 500 ms, so every REST write waited ~480 ms for read-your-writes
     * (measured). The tracking processor blocks on the stream and wakes as soon as a local commit is fetched
     * (~15-40 ms per REST write on the same machine).
     */
    public static final String READ_MODEL = "read-model";

    /** Events per transaction of the read-model processor: one token update per batch instead of per event. */
    static final int BATCH_SIZE = 100;

    /**
     * Whether the read-model processor starts with the application. {@code tern-server replay} sets it to false: it
     * replays into the read tables itself ({@link ReadModelRebuild}) and must not race the processor.
     */
    public static final String AUTO_START_PROPERTY = "tern.read-model.auto-start";

    /**
     * Whether this application only rebuilds (set by {@code tern-server replay}): nothing else reads the read tables
     * while {@link ReadModelRebuild} runs, so a rebuild may lock them (the audit trail's indexes are dropped and built
     * anew when it starts empty).
     */
    public static final String OFFLINE_REBUILD_PROPERTY = "tern.rebuild.offline";

    /** Event revisions come from {@code @EventRevision} (see {@link dev.tern.query.upcasting.TernRevisionResolver}). */
    @Bean
    RevisionResolver revisionResolver() {
        return new TernRevisionResolver();
    }

    @Bean
    ConfigurerModule readModelProcessorConfigurer(ProjectionFailures failures, Environment environment) {
        boolean autoStart = environment.getProperty(AUTO_START_PROPERTY, Boolean.class, true);
        return configurer -> configurer.eventProcessing(processing -> {
            processing.registerTrackingEventProcessor(
                    READ_MODEL,
                    org.axonframework.config.Configuration::eventStore,
                    config -> TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                            .andBatchSize(BATCH_SIZE)
                            .andAutoStart(autoStart));
            // A read table that cannot take an event must not silently disagree with the event store: the failure
            // propagates (Axon's default handler would log and skip), rolls the batch back and puts the processor
            // into retry mode at that event, without advancing its token; ProjectionFailures reports the stop.
            processing.registerListenerInvocationErrorHandler(READ_MODEL, config -> PropagatingErrorHandler.instance());
            processing.registerHandlerInterceptor(READ_MODEL,
                    config -> new ProjectionFailureReporter(READ_MODEL, failures));
        });
    }
}

package dev.tern.api.datapath;

import dev.tern.api.config.TernSettings;
import dev.tern.api.tls.ListenerTls;
import dev.tern.projector.NetworkMapProjector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.axonframework.config.EventProcessingConfigurer;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The embedded data-path node, what peers are handed to reach it, and the relay revocations it applies. */
@Configuration(proxyBeanMethods = false)
class DataPathConfiguration {

    @Bean
    EmbeddedDataPathNode embeddedDataPathNode(TernSettings settings, ListenerTls tls) {
        return new EmbeddedDataPathNode(settings, tls, Clock.systemUTC());
    }

    @Bean
    PeerDataPathConfig peerDataPathConfig(TernSettings settings, EmbeddedDataPathNode node) {
        return new PeerDataPathConfig(settings, node);
    }

    @Bean
    RelayRevocations relayRevocations(EmbeddedDataPathNode node, NetworkMapProjector projector) {
        return new RelayRevocations(node, projector);
    }

    /**
     * The revocations processor keeps its position in memory and starts one token lifetime back at every boot: what
     * happened earlier no longer matters (those tokens have lapsed), what happened since must be re-applied.
     */
    @Autowired
    void configureRelayRevocations(EventProcessingConfigurer processing, TernSettings settings) {
        String group = RelayRevocations.PROCESSING_GROUP;
        Duration lookBack = settings.dataPath().relayTokenLifetime();
        processing.registerTokenStore(group, configuration -> new InMemoryTokenStore());
        processing.registerTrackingEventProcessor(group, configuration -> configuration.eventStore(),
                configuration -> TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                        .andInitialTrackingToken(source -> source.createTokenAt(Instant.now().minus(lookBack))));
    }
}

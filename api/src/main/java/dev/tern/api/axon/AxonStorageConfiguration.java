package dev.tern.api.axon;

import dev.tern.api.config.TernSettings;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.modelling.saga.repository.jdbc.PostgresSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
import org.axonframework.serialization.Serializer;
import org.axonframework.springboot.TokenStoreProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Axon on PostgreSQL without Axon Server. Axon's Spring Boot JDBC auto-configuration builds the
 * JdbcEventStorageEngine, JdbcTokenStore and JdbcSagaStore on our DataSource (there is no JPA
 * EntityManagerFactory, so its JPA variant stays off, and Axon Server is disabled in application.properties);
 * serializers are Jackson, also set there. This class supplies what that auto-configuration leaves generic:
 * <ul>
 *   <li>the table and column names of query-side's Flyway V1 (snake_case; Axon's JDBC defaults are
 *       camelCase, which PostgreSQL would fold to e.g. {@code domainevententry});</li>
 *   <li>recognition of PostgreSQL's unique violation, so concurrent appends to one aggregate surface as Axon
 *       concurrency conflicts.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class AxonStorageConfiguration {

    @Bean
    PersistenceExceptionResolver persistenceExceptionResolver() {
        return new PostgresUniqueViolationResolver();
    }

    @Bean
    EventSchema eventSchema() {
        return EventSchema.builder()
                .eventTable("domain_event_entry")
                .snapshotTable("snapshot_event_entry")
                .globalIndexColumn("global_index")
                .timestampColumn("time_stamp")
                .eventIdentifierColumn("event_identifier")
                .aggregateIdentifierColumn("aggregate_identifier")
                .sequenceNumberColumn("sequence_number")
                .typeColumn("type")
                .payloadTypeColumn("payload_type")
                .payloadRevisionColumn("payload_revision")
                .payloadColumn("payload")
                .metaDataColumn("meta_data")
                .build();
    }

    @Bean
    TokenSchema tokenSchema() {
        return TokenSchema.builder()
                .setTokenTable("token_entry")
                .setProcessorNameColumn("processor_name")
                .setSegmentColumn("segment")
                .setTokenColumn("token")
                .setTokenTypeColumn("token_type")
                .setTimestampColumn("timestamp")
                .setOwnerColumn("owner")
                .build();
    }

    /**
     * Axon's JdbcTokenStore as the auto-configuration would build it, but owned by a node id that survives a
     * restart. The default owner is "pid@host", so after a crash the new process had to wait for the dead one's
     * claims to time out before its projections moved again; tern-server's identity is its host and data
     * directory instead, which the data-directory lock makes unique among running processes.
     */
    @Bean
    TokenStore tokenStore(ConnectionProvider connectionProvider, Serializer serializer, TokenSchema tokenSchema,
                          TokenStoreProperties properties, TernSettings settings) {
        return JdbcTokenStore.builder()
                .connectionProvider(connectionProvider)
                .schema(tokenSchema)
                .serializer(serializer)
                .claimTimeout(properties.getClaimTimeout())
                .nodeId(TokenOwner.of(settings))
                .build();
    }

    @Bean
    SagaSqlSchema sagaSqlSchema() {
        SagaSchema schema = SagaSchema.builder()
                .sagaEntryTable("saga_entry")
                .revisionColumn("revision")
                .serializedSagaColumn("serialized_saga")
                .sagaTypeColumn("saga_type")
                .sagaIdColumn("saga_id")
                .associationValueEntryTable("association_value_entry")
                .associationKeyColumn("association_key")
                .associationValueColumn("association_value")
                .build();
        return new PostgresSagaSqlSchema(schema);
    }
}

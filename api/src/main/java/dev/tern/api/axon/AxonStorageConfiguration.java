package dev.tern.api.axon;

import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.modelling.saga.repository.jdbc.PostgresSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
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

package dev.tern.query;

import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.modelling.saga.repository.jdbc.PostgresSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The table and column names of Flyway's V1__axon_event_store.sql for Axon's JDBC components. Axon's own
 * defaults are camelCase (DomainEventEntry, globalIndex), which PostgreSQL folds to lower case; V1 uses
 * snake_case, so whoever builds a JdbcEventStorageEngine, JdbcTokenStore or JdbcSagaStore on it passes these.
 *
 * <p>The one place the event store's schema is declared, next to the migration that creates it: as beans for
 * Axon's Spring Boot JDBC auto-configuration (every application that imports {@link QuerySideConfiguration} gets
 * them, tern-server and the test applications alike), and as static factories for code that builds Axon's JDBC
 * components by hand.
 */
@Configuration(proxyBeanMethods = false)
public class AxonSchemas {

    @Bean
    public static EventSchema eventSchema() {
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
    public static TokenSchema tokenSchema() {
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
    public static SagaSqlSchema sagaSqlSchema() {
        return new PostgresSagaSqlSchema(SagaSchema.builder()
                .sagaEntryTable("saga_entry")
                .revisionColumn("revision")
                .serializedSagaColumn("serialized_saga")
                .sagaTypeColumn("saga_type")
                .sagaIdColumn("saga_id")
                .associationValueEntryTable("association_value_entry")
                .associationKeyColumn("association_key")
                .associationValueColumn("association_value")
                .build());
    }
}

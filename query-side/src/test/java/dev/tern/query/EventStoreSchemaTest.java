package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.tern.events.AccountCreated;
import dev.tern.events.GroupCreated;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.modelling.saga.repository.jdbc.PostgresSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
import org.axonframework.serialization.json.JacksonSerializer;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** V1 is the schema Axon's JDBC components expect: they run on it as they are, only told the names. */
class EventStoreSchemaTest {
    private static HikariDataSource dataSource;
    private static JdbcTemplate jdbc;
    private static JacksonSerializer serializer;

    @BeforeAll
    static void migrate() {
        dataSource = TestDatabase.fresh();
        jdbc = new JdbcTemplate(dataSource);
        Flyway.configure().dataSource(dataSource).load().migrate();
        serializer = JacksonSerializer.builder().objectMapper(new ObjectMapper().findAndRegisterModules()).build();
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void flywayAppliesTheEventStoreThenTheReadTables() {
        assertThat(jdbc.queryForList(
                "SELECT version FROM flyway_schema_history WHERE success ORDER BY installed_rank", String.class))
                .containsExactly("1", "100", "101", "102", "103", "104", "105", "110", "111", "120", "140", "170",
                        "190", "200", "201", "230", "240");
        assertThat(jdbc.queryForList("""
                SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'""", String.class))
                .contains("domain_event_entry", "snapshot_event_entry", "token_entry", "saga_entry",
                        "association_value_entry", "rm_accounts", "rm_users", "rm_tokens", "rm_setup_keys",
                        "rm_groups", "rm_group_members", "rm_policies", "rm_peers", "peer_status", "rm_audit",
                        "rm_dns_settings", "rm_nameserver_groups", "rm_dns_zones", "rm_dns_records",
                        "rm_routes", "rm_networks", "rm_network_resources", "rm_network_routers",
                        "rm_identity_providers", "rm_jwt_group_settings")
                .doesNotContain("as_of_checkpoint", "as_of_checkpoint_rows"); // V240: as-of reads fold events
        Map<String, String> payloadTypes = jdbc.queryForList("""
                SELECT column_name, data_type FROM information_schema.columns
                WHERE table_name = 'domain_event_entry'""").stream()
                .collect(Collectors.toMap(r -> (String) r.get("column_name"), r -> (String) r.get("data_type")));
        assertThat(payloadTypes).containsEntry("payload", "bytea").containsEntry("meta_data", "bytea")
                .containsEntry("global_index", "bigint");
    }

    @Test
    void theStorageEngineAppendsReadsAndStreamsThroughV1() {
        JdbcEventStorageEngine engine = engine();
        Actor actor = new Actor(Actor.Type.USER, "u1", "Ursula", "u@example.com");
        AccountCreated created = new AccountCreated("acc-engine", new Cidr("100.80.0.0", 16), "tern.internal",
                Instant.parse("2026-01-01T00:00:00Z"));
        GroupCreated group = new GroupCreated("acc-engine", "g1", "All", GroupIssuer.API);
        engine.appendEvents(List.of(
                new GenericDomainEventMessage<>("Account", "acc-engine", 0, created, actor.toMetadata()),
                new GenericDomainEventMessage<>("Account", "acc-engine", 1, group, actor.toMetadata())));

        List<DomainEventMessage<?>> stream = engine.readEvents("acc-engine").asStream()
                .<DomainEventMessage<?>>map(e -> e).toList();
        assertThat(stream).extracting(e -> (Object) e.getPayload()).containsExactly(created, group);
        assertThat(Actor.fromMetadata(stream.get(1).getMetaData())).isEqualTo(actor);
        assertThat(stream).extracting(DomainEventMessage::getSequenceNumber).containsExactly(0L, 1L);

        List<Object> tracked = engine.readEvents((TrackingToken) null, false)
                .map(e -> (Object) e.getPayload()).toList();
        assertThat(tracked).contains(created, group);
        TrackingToken head = engine.createHeadToken();
        assertThat(head.position()).hasValue(jdbc.queryForObject(
                "SELECT MAX(global_index) FROM domain_event_entry", Long.class));
    }

    @Test
    void theSameAggregateSequenceCannotBeAppendedTwice() {
        JdbcEventStorageEngine engine = engine();
        GroupCreated first = new GroupCreated("acc-race", "g1", "one", GroupIssuer.API);
        GroupCreated second = new GroupCreated("acc-race", "g2", "two", GroupIssuer.API);
        engine.appendEvents(new GenericDomainEventMessage<>("Account", "acc-race", 0, first));
        // the optimistic lock two nodes rely on: (aggregate_identifier, sequence_number) is unique
        assertThatThrownBy(() -> engine.appendEvents(
                new GenericDomainEventMessage<>("Account", "acc-race", 0, second))).isNotNull();
        assertThat(engine.readEvents("acc-race").asStream().map(e -> (Object) e.getPayload()).toList())
                .containsExactly(first);
    }

    @Test
    void snapshotsAreStoredAndRead() {
        JdbcEventStorageEngine engine = engine();
        GroupCreated state = new GroupCreated("acc-snap", "g1", "snapshot", GroupIssuer.API);
        engine.storeSnapshot(new GenericDomainEventMessage<>("Account", "acc-snap", 7, state));
        assertThat(engine.readSnapshot("acc-snap")).hasValueSatisfying(s -> {
            assertThat(s.getSequenceNumber()).isEqualTo(7);
            assertThat(s.getPayload()).isEqualTo(state);
        });
    }

    @Test
    void theTokenStoreKeepsProcessorPositions() {
        JdbcTokenStore tokens = JdbcTokenStore.builder()
                .connectionProvider(dataSource::getConnection)
                .serializer(serializer)
                .schema(AxonSchemas.tokenSchema())
                .nodeId("node-a")
                .build();
        tokens.initializeTokenSegments("schema-test", 2);
        assertThat(tokens.fetchSegments("schema-test")).containsExactly(0, 1);
        tokens.fetchToken("schema-test", 1);
        tokens.storeToken(new GlobalSequenceTrackingToken(42), "schema-test", 1);
        assertThat(tokens.fetchToken("schema-test", 1)).isEqualTo(new GlobalSequenceTrackingToken(42));
        assertThat(jdbc.queryForObject("SELECT owner FROM token_entry WHERE processor_name = 'schema-test' "
                + "AND segment = 1", String.class)).isEqualTo("node-a");
    }

    @Test
    void applicationsGetV1sNamesAsBeansFromTheQuerySide() {
        // tern-server and the test applications take Axon's schema beans from here; neither declares its own.
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.register(AxonSchemas.class);
            context.refresh();
            assertThat(context.getBean(EventSchema.class).domainEventTable()).isEqualTo("domain_event_entry");
            assertThat(context.getBean(EventSchema.class).globalIndexColumn()).isEqualTo("global_index");
            assertThat(context.getBean(TokenSchema.class).tokenTable()).isEqualTo("token_entry");
            assertThat(context.getBean(TokenSchema.class).processorNameColumn()).isEqualTo("processor_name");
            assertThat(context.getBean(SagaSqlSchema.class)).isInstanceOf(PostgresSagaSqlSchema.class);
        }
    }

    /** Policy rules stored before rules could name a network resource read back without one (no upcaster). */
    @Test
    void aPolicyStoredBeforeDestinationResourcesReadsBackWithoutOne() {
        String stored = """
                {"accountId":"a","policyId":"p","definition":{"name":"p","description":"","enabled":true,
                 "rules":[{"id":"r","name":"r","description":"","enabled":true,"action":"ACCEPT",
                 "bidirectional":true,"protocol":"ALL","ports":[],"portRanges":[],"sources":["g"],
                 "destinations":["g"]}],"sourcePostureChecks":[]}}""";
        dev.tern.events.PolicyCreated event = serializer.deserialize(
                new org.axonframework.serialization.SimpleSerializedObject<>(
                        stored.getBytes(java.nio.charset.StandardCharsets.UTF_8), byte[].class,
                        dev.tern.events.PolicyCreated.class.getName(), null));
        assertThat(event.definition().rules().get(0).destinationResource()).isNull();
        assertThat(event.definition().rules().get(0).destinations()).containsExactly("g");
    }

    private static JdbcEventStorageEngine engine() {
        return JdbcEventStorageEngine.builder()
                .connectionProvider(dataSource::getConnection)
                .transactionManager(NoTransactionManager.INSTANCE)
                .schema(AxonSchemas.eventSchema())
                .eventSerializer(serializer)
                .snapshotSerializer(serializer)
                .dataType(byte[].class)
                .build();
    }

}

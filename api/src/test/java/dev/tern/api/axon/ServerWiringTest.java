package dev.tern.api.axon;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.api.config.TernSettings;
import dev.tern.api.datapath.EmbeddedDataPathNode;
import dev.tern.api.grpc.ManagementGrpcServer;
import dev.tern.api.storage.TernDatabase;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.time.Duration;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The in-JVM server as every integration test gets it: storage, Axon and JSON wiring. */
@TernIntegrationTest
class ServerWiringTest {

    @Autowired TernSettings settings;
    @Autowired TernDatabase database;
    @Autowired DataSource dataSource;
    @Autowired EventStorageEngine eventStorageEngine;
    @Autowired TokenStore tokenStore;
    @Autowired Serializer generalSerializer;
    @Autowired @Qualifier("eventSerializer") Serializer eventSerializer;
    @Autowired @Qualifier("messageSerializer") Serializer messageSerializer;
    @Autowired PersistenceExceptionResolver persistenceExceptionResolver;
    @Autowired ObjectMapper objectMapper;
    @Autowired TestHttp http;
    @Autowired ApplicationContext context;

    record WiringProbe(String name, Instant at) {
    }

    @Test
    void runsOnEmbeddedPostgresInATempDataDir() {
        assertThat(database.isEmbedded()).isTrue();
        assertThat(settings.storage().dataDir()).startsWith(Path.of("target", "tern-it").toAbsolutePath());
        assertThat(settings.storage().dataDir().resolve("postgres").resolve("PG_VERSION")).exists();
        assertThat(settings.storage().dataDir().resolve("tern.lock")).exists();
        assertThat(new JdbcTemplate(dataSource).queryForObject("SHOW synchronous_commit", String.class)).isEqualTo("on");
        assertThat(new JdbcTemplate(dataSource).queryForObject("SHOW fsync", String.class)).isEqualTo("on");
    }

    @Test
    void theDataPathNodeIsOneLifecycleThatStartsBeforeTheManagementServiceHandingItOut() {
        assertThat(context.getBeansOfType(EmbeddedDataPathNode.class)).hasSize(1);
        EmbeddedDataPathNode node = context.getBean(EmbeddedDataPathNode.class);
        assertThat(node.isRunning()).isTrue();
        assertThat(node.getPhase()).isLessThan(context.getBean(ManagementGrpcServer.class).getPhase());
        // Nothing else in api composes signal, STUN or relay: the node's is the only data-path lifecycle.
        assertThat(context.getBeansOfType(SmartLifecycle.class).values())
                .filteredOn(lifecycle -> lifecycle.getClass().getPackageName().startsWith("dev.tern.signal")
                        || lifecycle.getClass().getPackageName().equals("dev.tern.api.datapath"))
                .containsExactly(node);
    }

    @Test
    void axonUsesJdbcStorageAndJacksonEverywhere() {
        assertThat(eventStorageEngine).isInstanceOf(JdbcEventStorageEngine.class);
        assertThat(tokenStore).isInstanceOf(JdbcTokenStore.class);
        assertThat(generalSerializer).isInstanceOf(JacksonSerializer.class);
        assertThat(eventSerializer).isInstanceOf(JacksonSerializer.class);
        assertThat(messageSerializer).isInstanceOf(JacksonSerializer.class);
    }

    @Test
    void processorsClaimSegmentsUnderAnOwnerThatSurvivesRestarts() {
        String owner = TokenOwner.of(settings);
        assertThat(owner).startsWith("tern@").doesNotContain(Long.toString(ProcessHandle.current().pid()));
        assertThat(TokenOwner.of(settings)).isEqualTo(owner);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(new JdbcTemplate(dataSource)
                .queryForList("SELECT DISTINCT owner FROM token_entry WHERE owner IS NOT NULL", String.class))
                .containsExactly(owner));
    }

    @Test
    void instantsAreIsoStringsInJson() throws Exception {
        String json = objectMapper.writeValueAsString(new WiringProbe("x", Instant.parse("2026-01-02T03:04:05.123Z")));

        assertThat(json).contains("\"at\":\"2026-01-02T03:04:05.123Z\"");
    }

    @Test
    void flywayMigratedTheAxonSchema() {
        Integer tables = new JdbcTemplate(dataSource).queryForObject(
                "SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                        + "('domain_event_entry', 'snapshot_event_entry', 'token_entry', 'flyway_schema_history')",
                Integer.class);
        assertThat(tables).isEqualTo(4);
        // Migrations of every module on the classpath ran: query-side's event store (V1) and read model (V100).
        List<String> versions = new JdbcTemplate(dataSource).queryForList(
                "SELECT version FROM flyway_schema_history WHERE success", String.class);
        assertThat(versions).contains("1", "100");
    }

    @Test
    void eventsRoundTripThroughTheStoreAsJson() {
        String aggregate = "wiring-" + UUID.randomUUID();
        WiringProbe probe = new WiringProbe("round-trip", Instant.parse("2026-05-06T07:08:09Z"));
        eventStorageEngine.appendEvents(List.of(event(aggregate, 0, probe)));

        List<? extends DomainEventMessage<?>> read = eventStorageEngine.readEvents(aggregate).asStream().toList();

        assertThat(read).hasSize(1);
        assertThat(read.get(0).getPayload()).isEqualTo(probe);
        String storedPayload = new JdbcTemplate(dataSource).queryForObject(
                "SELECT convert_from(payload, 'UTF8') FROM domain_event_entry WHERE aggregate_identifier = ?",
                String.class, aggregate);
        assertThat(storedPayload).contains("\"at\":\"2026-05-06T07:08:09Z\"");
    }

    @Test
    void concurrentAppendOfTheSameSequenceIsAConcurrencyConflict() {
        String aggregate = "wiring-" + UUID.randomUUID();
        eventStorageEngine.appendEvents(List.of(event(aggregate, 0, new WiringProbe("first", Instant.now()))));
        eventStorageEngine.appendEvents(List.of(event(aggregate, 1, new WiringProbe("writer A", Instant.now()))));

        ConcurrencyException conflict = catchThrowableOfType(ConcurrencyException.class, () ->
                eventStorageEngine.appendEvents(List.of(event(aggregate, 1, new WiringProbe("writer B", Instant.now())))));

        assertThat(conflict).isNotNull();
        assertThat(eventStorageEngine.readEvents(aggregate).asStream().map(e -> ((WiringProbe) e.getPayload()).name()))
                .containsExactly("first", "writer A");
    }

    @Test
    void resolverTellsUniqueViolationsFromOtherFailures() throws SQLException {
        String table = "resolver_probe_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE " + table + " (id int PRIMARY KEY, name text NOT NULL)");
            s.execute("INSERT INTO " + table + " VALUES (1, 'a')");

            SQLException duplicate = catchThrowableOfType(SQLException.class,
                    () -> s.execute("INSERT INTO " + table + " VALUES (1, 'b')"));
            SQLException notNull = catchThrowableOfType(SQLException.class,
                    () -> s.execute("INSERT INTO " + table + " VALUES (2, NULL)"));

            assertThat(persistenceExceptionResolver.isDuplicateKeyViolation(duplicate)).isTrue();
            assertThat(persistenceExceptionResolver.isDuplicateKeyViolation(new RuntimeException("wrapped", duplicate))).isTrue();
            assertThat(persistenceExceptionResolver.isDuplicateKeyViolation(notNull)).isFalse();
        }
    }

    @Test
    void unknownPathAnswersWithoutServerError() {
        TestHttp.Response response = http.get("/api/does-not-exist-" + UUID.randomUUID(), null);

        assertThat(response.status()).isBetween(400, 499);
    }

    private static DomainEventMessage<WiringProbe> event(String aggregate, long sequence, WiringProbe payload) {
        return new GenericDomainEventMessage<>("WiringProbeAggregate", aggregate, sequence, payload);
    }

}

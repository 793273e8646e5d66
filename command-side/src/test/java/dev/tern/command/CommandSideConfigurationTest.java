package dev.tern.command;

import dev.tern.events.CommandRejected;
import dev.tern.events.GroupCreated;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreateGroup;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.meta.Actor;
import dev.tern.events.meta.EventMetadata;
import dev.tern.events.values.Cidr;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.common.caching.Cache;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import java.time.Instant;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Axon's Spring Boot auto-configuration must wire the account aggregate with this module's beans: commands
 * without annotations reach the right account (target resolver), loaded accounts stay cached, command metadata
 * lands on events (correlation data provider), and every SNAPSHOT_EVERY_EVENTS events a snapshot is taken.
 */
@SpringBootTest(classes = CommandSideConfigurationTest.TestApplication.class, properties = {
        "axon.axonserver.enabled=false", "axon.serializer.general=jackson", "axon.serializer.events=jackson",
        "axon.serializer.messages=jackson"})
class CommandSideConfigurationTest {
    private static final String ACC = "spring-acc";

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(CommandSideConfiguration.class)
    static class TestApplication {
        @Bean
        EventStorageEngine eventStorageEngine() {
            return new InMemoryEventStorageEngine();
        }
    }

    @Autowired
    CommandGateway commands;
    @Autowired
    EventStore eventStore;
    @Autowired
    @Qualifier(CommandSideConfiguration.ACCOUNT_CACHE)
    Cache accountCache;
    @Autowired
    Serializer serializer;
    @Autowired
    ObjectMapper springObjectMapper;
    @Autowired
    org.axonframework.config.Configuration axonConfiguration;

    @Test
    void theSnapshotFilterReachesTheFilterAxonHandsTheStorageEngine() {
        // Axon's JDBC auto-configuration builds the storage engine with Configuration.snapshotFilter()
        var current = new GenericDomainEventEntry<>("Account", ACC, 1, "e1", Instant.EPOCH, Account.class.getName(),
                Account.class.getAnnotation(org.axonframework.serialization.Revision.class).value(), new byte[0], new byte[0]);
        var older = new GenericDomainEventEntry<>("Account", ACC, 1, "e1", Instant.EPOCH, Account.class.getName(),
                null, new byte[0], new byte[0]);
        assertThat(axonConfiguration.snapshotFilter().allow(current)).isTrue();
        assertThat(axonConfiguration.snapshotFilter().allow(older)).isFalse();
    }

    private static MetaData actor() {
        Map<String, Object> meta = new HashMap<>(new Actor(Actor.Type.USER, "user-owner", "Owner", "o@example.com").toMetadata());
        meta.put(EventMetadata.SOURCE_ADDRESS, "198.51.100.7");
        meta.put("unrelated", "not propagated");
        return MetaData.from(meta);
    }

    @Test
    void theAggregateIsWiredWithThisModulesBeans() {
        commands.sendAndWait(new CreateAccount(ACC, Cidr.parse("100.70.0.0/16"), "tern.internal", "user-owner",
                "o@example.com", "Owner", "all"), actor());
        commands.sendAndWait(new CreateGroup(ACC, "g1", "dev", List.of()), actor());

        // target resolver: an annotation-free command reached the account
        List<? extends DomainEventMessage<?>> events = eventStore.readEvents(ACC).asStream().toList();
        DomainEventMessage<?> groupCreated = events.get(events.size() - 1);
        assertThat(groupCreated.getPayload()).isInstanceOf(GroupCreated.class);

        // correlation data: actor and source address copied, other keys not
        assertThat(groupCreated.getMetaData())
                .containsEntry(EventMetadata.ACTOR_ID, "user-owner")
                .containsEntry(EventMetadata.ACTOR_TYPE, "USER")
                .containsEntry(EventMetadata.ACTOR_EMAIL, "o@example.com")
                .containsEntry(EventMetadata.SOURCE_ADDRESS, "198.51.100.7")
                .doesNotContainKey("unrelated");

        // cache: the account stays loaded
        assertThat(accountCache.containsKey(ACC)).isTrue();

        // rejections reach the caller as CommandRejected, and leave no event
        long before = eventStore.readEvents(ACC).asStream().count();
        assertThatThrownBy(() -> commands.sendAndWait(new DeleteGroup(ACC, "all"), actor()))
                .isInstanceOf(CommandRejected.class)
                .hasMessageContaining("All group cannot be deleted");
        assertThat(eventStore.readEvents(ACC).asStream().count()).isEqualTo(before);

        // snapshot trigger: none yet; after SNAPSHOT_EVERY_EVENTS more events the account is stored as a snapshot
        assertThat(eventStore.readEvents(ACC).asStream().findFirst().orElseThrow().getPayload())
                .isInstanceOf(dev.tern.events.AccountCreated.class);
        for (int i = 0; i < CommandSideConfiguration.SNAPSHOT_EVERY_EVENTS; i++) {
            commands.sendAndWait(new CreateGroup(ACC, "bulk-" + i, "bulk " + i, List.of()), actor());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(eventStore.readEvents(ACC).asStream().findFirst().orElseThrow().getPayload())
                        .isInstanceOf(Account.class));

        // the snapshot survives the serializer the server configures (Jackson on Spring Boot's ObjectMapper)
        assertThat(serializer).isInstanceOf(JacksonSerializer.class);
        assertThat(((JacksonSerializer) serializer).getObjectMapper()).isSameAs(springObjectMapper);
        Account snapshot = (Account) eventStore.readEvents(ACC).asStream().findFirst().orElseThrow().getPayload();
        Account restored = serializer.deserialize(serializer.serialize(snapshot, byte[].class));
        assertThat(restored).usingRecursiveComparison().usingOverriddenEquals().isEqualTo(snapshot);
    }
}

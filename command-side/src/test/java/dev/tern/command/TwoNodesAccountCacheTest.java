package dev.tern.command;

import dev.tern.events.CommandRejected;
import dev.tern.events.PeerRegistered;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreateSetupKey;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.SetupKeyType;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Two nodes (two Axon configurations, each with its own account cache) on one event store, as two tern-server
 * processes on one PostgreSQL: a node that cached the account decides on what the other node appended since.
 */
class TwoNodesAccountCacheTest {
    private static final String ACC = "shared";
    private final InMemoryEventStorageEngine sharedStore = new InMemoryEventStorageEngine();
    private final Configuration nodeA = node();
    private final Configuration nodeB = node();

    private Configuration node() {
        Configuration node = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> sharedStore)
                .configureAggregate(AggregateConfigurer.defaultConfiguration(Account.class)
                        .configureCommandTargetResolver(c -> new AccountCommandTargetResolver())
                        .configureCache(c -> new AccountCache(8,
                                accountId -> c.eventStore().lastSequenceNumberFor(accountId))))
                .buildConfiguration();
        node.start();
        return node;
    }

    @AfterEach
    void stop() {
        nodeA.shutdown();
        nodeB.shutdown();
    }

    @Test
    void aSetupKeyCreatedThroughOneNodeRegistersPeersOnTheOtherThatCachedTheAccountBefore() {
        CommandGateway a = nodeA.commandGateway();
        CommandGateway b = nodeB.commandGateway();
        accountWithKeyThroughNodeA("100.90.0.0/16", "first");
        PeerRegistration onB = b.sendAndWait(register("p1", 1, "first")); // node b now holds the account
        assertThat(onB.created()).isTrue();

        a.sendAndWait(key("second"));
        PeerRegistration withTheNewKey = b.sendAndWait(register("p2", 2, "second"));

        assertThat(withTheNewKey.created()).isTrue();
    }

    @Test
    void theLastAddressTakenThroughOneNodeIsNotHandedOutAgainByTheOther() {
        CommandGateway a = nodeA.commandGateway();
        CommandGateway b = nodeB.commandGateway();
        accountWithKeyThroughNodeA("100.90.0.0/30", "fleet");
        b.sendAndWait(register("p1", 1, "fleet")); // 100.90.0.1; node b holds the account with one address free
        a.sendAndWait(register("p2", 2, "fleet")); // 100.90.0.2, the last one

        CommandRejected refused = catchThrowableOfType(() -> b.sendAndWait(register("p3", 3, "fleet")),
                CommandRejected.class);

        assertThat(refused).as("node b's answer for a third peer").isNotNull();
        assertThat(refused.reason()).isEqualTo(CommandRejected.Reason.PRECONDITION_FAILED);
        assertThat(refused.getMessage()).contains("100.90.0.0/30 has no free address");
        List<String> addresses = nodeA.eventStore().readEvents(ACC).asStream().map(DomainEventMessage::getPayload)
                .filter(PeerRegistered.class::isInstance).map(e -> ((PeerRegistered) e).ip().address()).toList();
        assertThat(addresses).containsExactly("100.90.0.1", "100.90.0.2");
    }

    /** The account with the given network and one reusable setup key, created through node a. */
    private void accountWithKeyThroughNodeA(String network, String keyId) {
        CommandGateway a = nodeA.commandGateway();
        a.sendAndWait(new CreateAccount(ACC, Cidr.parse(network), "mesh.test", "o", "o@example.com", "O", "all"));
        a.sendAndWait(key(keyId));
    }

    private static CreateSetupKey key(String id) {
        return new CreateSetupKey(ACC, id, "key " + id, SetupKeyType.REUSABLE, "hash-" + id, id.toUpperCase(),
                null, 0, List.of(), false, false);
    }

    private static RegisterPeer register(String peerId, int key, String setupKeyId) {
        return new RegisterPeer(ACC, peerId, "hash-" + setupKeyId, AccountFixtureSupport.wgKey(key),
                PeerSystemMeta.ofHostname(peerId));
    }
}

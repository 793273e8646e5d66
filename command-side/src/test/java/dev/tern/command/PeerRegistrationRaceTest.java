package dev.tern.command;

import dev.tern.events.CommandRejected;
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
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Registrations racing on one setup key are serialised by the account: the usage limit is never exceeded. */
class PeerRegistrationRaceTest {
    private Configuration axon;
    private ExecutorService clients;

    @BeforeEach
    void start() {
        axon = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .configureAggregate(AggregateConfigurer.defaultConfiguration(Account.class)
                        .configureCommandTargetResolver(c -> new AccountCommandTargetResolver())
                        .configureCache(c -> new AccountCache(8)))
                .buildConfiguration();
        axon.start();
        clients = Executors.newFixedThreadPool(16);
    }

    @AfterEach
    void stop() throws InterruptedException {
        clients.shutdownNow();
        assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        axon.shutdown();
    }

    @Test
    void fiftyParallelRegistrationsOnAKeyLimitedToTenYieldExactlyTenPeersWithDistinctAddresses() throws Exception {
        CommandGateway gateway = axon.commandGateway();
        gateway.sendAndWait(new CreateAccount("race", Cidr.parse("100.90.0.0/16"), "mesh.test", "o", "o@example.com", "O", "all"));
        gateway.sendAndWait(new CreateSetupKey("race", "k", "limited", SetupKeyType.REUSABLE, "race-hash", "RACE",
                null, 10, List.of(), false, false));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PeerRegistration>> attempts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            attempts.add(clients.submit(() -> {
                go.await();
                return gateway.sendAndWait(new RegisterPeer("race", "peer-" + n, "race-hash",
                        AccountFixtureSupport.wgKey(n + 1), PeerSystemMeta.ofHostname("node")));
            }));
        }
        go.countDown();
        List<PeerRegistration> registered = new ArrayList<>();
        int forbidden = 0;
        for (Future<PeerRegistration> attempt : attempts) {
            try {
                registered.add(attempt.get(30, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(CommandRejected.class);
                assertThat(((CommandRejected) e.getCause()).reason()).isEqualTo(CommandRejected.Reason.FORBIDDEN);
                forbidden++;
            }
        }
        assertThat(registered).hasSize(10).allMatch(PeerRegistration::created);
        assertThat(forbidden).isEqualTo(40);
        assertThat(registered.stream().map(PeerRegistration::ip).distinct()).hasSize(10);
        assertThat(registered.stream().map(PeerRegistration::dnsLabel).distinct()).hasSize(10);
    }
}

package dev.tern.command;

import dev.tern.events.CommandRejected;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRenamed;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreateSetupKey;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.commands.UpdatePeer;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.SetupKeyType;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever sequence of registrations, re-registrations, renames and deletions runs through a real Axon command
 * bus and event store, live peers keep unique addresses inside the network (never its network or broadcast
 * address), each new peer takes the lowest free address, and DNS labels stay unique and well-formed.
 */
class PeerAllocationPropertyTest {
    private static final Cidr NETWORK = Cidr.parse("100.79.0.0/16");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final List<String> HOSTNAMES = List.of("web", "WEB", "web-1", "web 1", "Ümlaut", "db.local",
            "-x-", "web-1-1", "a".repeat(70), "a".repeat(60) + "-1");
    private static final AtomicInteger ACCOUNTS = new AtomicInteger();
    private static Configuration axon;

    sealed interface Op permits Register, ReRegister, Rename, Delete {
    }

    record Register(int hostname) implements Op {
    }

    record ReRegister(int nth) implements Op {
    }

    record Rename(int nth, int hostname) implements Op {
    }

    record Delete(int nth) implements Op {
    }

    @BeforeContainer
    static void startAxon() {
        axon = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .configureAggregate(AggregateConfigurer.defaultConfiguration(Account.class)
                        .configureCommandTargetResolver(c -> new AccountCommandTargetResolver())
                        .configureCache(c -> new AccountCache(8)))
                .buildConfiguration();
        axon.start();
    }

    @AfterContainer
    static void stopAxon() {
        axon.shutdown();
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 1000);
        Arbitrary<Integer> hostname = Arbitraries.integers().between(0, HOSTNAMES.size() - 1);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, hostname.map(Register::new)),
                net.jqwik.api.Tuple.of(1, index.map(ReRegister::new)),
                net.jqwik.api.Tuple.of(1, net.jqwik.api.Combinators.combine(index, hostname).as(Rename::new)),
                net.jqwik.api.Tuple.of(3, index.map(Delete::new)));
        return op.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 200)
    void addressesAndLabelsStayUniqueInsideTheNetwork(@ForAll("operations") List<Op> ops) {
        CommandGateway gateway = axon.commandGateway();
        String account = "prop-" + ACCOUNTS.incrementAndGet();
        gateway.sendAndWait(new CreateAccount(account, NETWORK, "mesh.test", "owner", "o@example.com", "O", account + "-all"));
        gateway.sendAndWait(new CreateSetupKey(account, "key", "k", SetupKeyType.REUSABLE, "secret-hash", "SECR",
                null, 0, List.of(), false, false));
        List<String> live = new ArrayList<>();
        Map<String, Integer> wgKeyOfPeer = new HashMap<>();
        int nextKey = 1;
        for (Op op : ops) {
            if (op instanceof Register r) {
                int key = nextKey++;
                String id = "peer-" + key;
                PeerRegistration reg = gateway.sendAndWait(new RegisterPeer(account, id, "secret-hash",
                        AccountFixtureSupport.wgKey(key), PeerSystemMeta.ofHostname(HOSTNAMES.get(r.hostname()))));
                assertThat(reg.created()).isTrue();
                live.add(id);
                wgKeyOfPeer.put(id, key);
            } else if (live.isEmpty()) {
                continue; // rename, re-register or delete with no peer yet: nothing to do
            } else if (op instanceof ReRegister r) {
                String id = live.get(r.nth() % live.size());
                PeerRegistration reg = gateway.sendAndWait(new RegisterPeer(account, "other", "secret-hash",
                        AccountFixtureSupport.wgKey(wgKeyOfPeer.get(id)), PeerSystemMeta.ofHostname("again")));
                assertThat(reg.created()).isFalse();
                assertThat(reg.peerId()).isEqualTo(id);
            } else if (op instanceof Rename r) {
                gateway.sendAndWait(new UpdatePeer(account, live.get(r.nth() % live.size()),
                        HOSTNAMES.get(r.hostname()), false, false, false));
            } else if (op instanceof Delete d) {
                gateway.sendAndWait(new DeletePeer(account, live.remove(d.nth() % live.size())));
            }
        }
        checkHistory(account);
    }

    @Property(tries = 20)
    void deletingAnUnknownPeerChangesNothing(@ForAll("operations") List<Op> ops) {
        CommandGateway gateway = axon.commandGateway();
        String account = "prop-" + ACCOUNTS.incrementAndGet();
        gateway.sendAndWait(new CreateAccount(account, NETWORK, "mesh.test", "owner", "o@example.com", "O", account + "-all"));
        long before = axon.eventStore().readEvents(account).asStream().count();
        for (int i = 0; i < ops.size(); i++) {
            int n = i;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> gateway.sendAndWait(new DeletePeer(account, "ghost-" + n)))
                    .isInstanceOf(CommandRejected.class);
        }
        assertThat(axon.eventStore().readEvents(account).asStream().count()).isEqualTo(before);
    }

    /** The label a naive scan would pick: the first of base, base-1, base-2, ... not in use. */
    private static String naiveLabel(String hostname, Set<String> inUse) {
        String base = DnsLabels.baseOf(hostname);
        for (int n = 0; ; n++) {
            if (!inUse.contains(DnsLabels.withSuffix(base, n))) {
                return DnsLabels.withSuffix(base, n);
            }
        }
    }

    /** Replays the account's peer events and checks every allocation against a model of the live peers. */
    private static void checkHistory(String account) {
        int networkBits = NETWORK.networkBits();
        int broadcast = networkBits + (int) NETWORK.size() - 1;
        TreeSet<Integer> usedOffsets = new TreeSet<>();
        Map<String, Integer> ipOf = new HashMap<>();
        Map<String, String> labelOf = new HashMap<>();
        Set<String> labels = new HashSet<>();
        List<? extends DomainEventMessage<?>> events = axon.eventStore().readEvents(account).asStream().toList();
        for (DomainEventMessage<?> message : events) {
            Object event = message.getPayload();
            if (event instanceof PeerRegistered r) {
                int ip = r.ip().bits();
                assertThat(NETWORK.contains(r.ip())).as("%s inside %s", r.ip(), NETWORK).isTrue();
                assertThat(ip).isNotEqualTo(networkBits).isNotEqualTo(broadcast);
                int lowestFree = 1;
                while (usedOffsets.contains(lowestFree)) {
                    lowestFree++;
                }
                assertThat(ip - networkBits).as("lowest free address").isEqualTo(lowestFree);
                assertThat(usedOffsets.add(ip - networkBits)).as("address %s unique", r.ip()).isTrue();
                assertThat(LABEL.matcher(r.dnsLabel()).matches()).as("label '%s' well-formed", r.dnsLabel()).isTrue();
                assertThat(r.dnsLabel()).as("lowest free label for '%s'", r.name()).isEqualTo(naiveLabel(r.name(), labels));
                assertThat(labels.add(r.dnsLabel())).as("label %s unique", r.dnsLabel()).isTrue();
                ipOf.put(r.peerId(), ip);
                labelOf.put(r.peerId(), r.dnsLabel());
            } else if (event instanceof PeerRenamed r) {
                labels.remove(labelOf.get(r.peerId()));
                assertThat(r.dnsLabel()).as("lowest free label for '%s'", r.newName()).isEqualTo(naiveLabel(r.newName(), labels));
                assertThat(LABEL.matcher(r.dnsLabel()).matches()).as("label '%s' well-formed", r.dnsLabel()).isTrue();
                assertThat(labels.add(r.dnsLabel())).as("renamed label %s unique", r.dnsLabel()).isTrue();
                labelOf.put(r.peerId(), r.dnsLabel());
            } else if (event instanceof PeerDeleted d) {
                usedOffsets.remove(ipOf.remove(d.peerId()) - networkBits);
                labels.remove(labelOf.remove(d.peerId()));
            }
        }
        assertThat(new HashSet<>(ipOf.values())).hasSameSizeAs(ipOf.values());
        ipOf.values().forEach(ip -> assertThat(NETWORK.contains(MeshIp.of(ip))).isTrue());
    }
}

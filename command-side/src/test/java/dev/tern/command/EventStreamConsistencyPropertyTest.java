package dev.tern.command;

import dev.tern.events.CommandRejected;
import dev.tern.events.GroupCreated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.SetupKeyAutoGroupsChanged;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreateGroup;
import dev.tern.events.commands.CreatePolicy;
import dev.tern.events.commands.CreateSetupKey;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.commands.DeletePolicy;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.commands.UpdateGroup;
import dev.tern.events.commands.UpdatePolicy;
import dev.tern.events.commands.UpdateSetupKey;
import dev.tern.events.commands.CreateUser;
import dev.tern.events.commands.UpdateUser;
import dev.tern.events.commands.DeleteUser;
import dev.tern.events.commands.CreatePersonalAccessToken;
import dev.tern.events.commands.DeletePersonalAccessToken;
import dev.tern.events.values.UserRole;
import dev.tern.events.UserCreated;
import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.UserDeleted;
import dev.tern.events.values.Cidr;
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
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tern.command.GroupCommandsTest.policyBetween;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Projections downstream trust the event stream: whatever mix of group, policy, setup-key, user, token and peer
 * commands
 * (valid or not) an account receives, its events never add a member twice, never remove a non-member, never name
 * a peer or group that does not exist, never touch the All group's membership, never delete a group a policy or
 * setup key still uses, and never give two groups the same name. Rejected commands leave no events, and the
 * account cached through all of it equals one replayed from the store.
 */
class EventStreamConsistencyPropertyTest {
    private static final AtomicInteger ACCOUNTS = new AtomicInteger();
    private static Configuration axon;
    private static final AccountCache CACHE = new AccountCache(8);

    @BeforeContainer
    static void startAxon() {
        axon = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .configureAggregate(AggregateConfigurer.defaultConfiguration(Account.class)
                        .configureCommandTargetResolver(c -> new AccountCommandTargetResolver())
                        .configureCache(c -> CACHE))
                .buildConfiguration();
        axon.start();
    }

    @AfterContainer
    static void stopAxon() {
        axon.shutdown();
    }

    @Provide
    Arbitrary<List<Long>> seeds() {
        return Arbitraries.longs().list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 200)
    void theEventStreamStaysConsistent(@ForAll("seeds") List<Long> steps) {
        CommandGateway gateway = axon.commandGateway();
        String acc = "consistency-" + ACCOUNTS.incrementAndGet();
        String all = acc + "-all";
        gateway.sendAndWait(new CreateAccount(acc, Cidr.parse("100.80.0.0/16"), "mesh.test", "o", "o@example.com", "O", all));
        gateway.sendAndWait(new CreateSetupKey(acc, "key", "k", SetupKeyType.REUSABLE, "hash", "HASH", null, 0,
                List.of(), false, false));
        // ids are drawn from small pools so that commands often hit existing, deleted or unknown things
        List<String> peerIds = List.of("p0", "p1", "p2", "p3", "p4", "p5");
        List<String> groupIds = List.of("g0", "g1", "g2", "g3", all);
        List<String> userIds = List.of("o", "u1", "u2", "u3");
        List<UserRole> roles = List.of(UserRole.ADMIN, UserRole.USER, UserRole.AUDITOR, UserRole.OWNER);
        List<String> names = List.of("dev", "ops", "prod", "web", "db", "lab", "All", "dev ");
        int nextKey = 1;
        // what exists right now, so that most commands are about live things (and some about gone or unknown ones)
        List<String> livePeers = new ArrayList<>();
        List<String> liveGroups = new ArrayList<>(); // not All: the pool below brings All in often enough
        for (long seed : steps) {
            Random r = new Random(seed);
            String peer = pick(r, livePeers, peerIds);
            String group = pick(r, liveGroups, groupIds);
            String other = pick(r, liveGroups, groupIds);
            String user = userIds.get(r.nextInt(userIds.size()));
            String actor = userIds.get(r.nextInt(userIds.size()));
            Object command = switch (r.nextInt(14)) {
                case 0, 1 -> new RegisterPeer(acc, peerIds.get(r.nextInt(peerIds.size())), "hash",
                        AccountFixtureSupport.wgKey(nextKey++), PeerSystemMeta.ofHostname("h"));
                case 2 -> new DeletePeer(acc, peer);
                case 3 -> new CreateGroup(acc, groupIds.get(r.nextInt(groupIds.size())), names.get(r.nextInt(names.size())),
                        subset(r, livePeers, peerIds));
                case 4 -> new UpdateGroup(acc, group, r.nextBoolean() ? null : names.get(r.nextInt(names.size())),
                        r.nextInt(4) == 0 ? null : subset(r, livePeers, peerIds));
                case 5 -> new DeleteGroup(acc, group);
                case 6 -> new CreatePolicy(acc, "pol" + r.nextInt(3), policyBetween("p", group, other));
                case 7 -> new UpdatePolicy(acc, "pol" + r.nextInt(3), policyBetween("p", group, other));
                case 8 -> new DeletePolicy(acc, "pol" + r.nextInt(3));
                case 9 -> new UpdateSetupKey(acc, "key", false, r.nextBoolean() ? List.of(group) : List.of());
                case 10 -> new CreateUser(acc, user, user + "@example.com", user, roles.get(r.nextInt(roles.size())),
                        r.nextBoolean(), r.nextBoolean() ? List.of(group) : List.of(), actor);
                case 11 -> new UpdateUser(acc, user, r.nextBoolean() ? null : roles.get(r.nextInt(roles.size())),
                        r.nextBoolean() ? null : List.of(group, other), r.nextInt(4) == 0, actor);
                case 12 -> new DeleteUser(acc, user, actor);
                default -> r.nextBoolean()
                        ? new CreatePersonalAccessToken(acc, "t" + r.nextInt(3), user, "tok", "h",
                        java.time.Instant.now().plusSeconds(3600), actor)
                        : new DeletePersonalAccessToken(acc, user, "t" + r.nextInt(3), actor);
            };
            long before = count(acc);
            try {
                Object result = gateway.sendAndWait(command);
                if (result instanceof dev.tern.events.commands.PeerRegistration registration && registration.created()) {
                    livePeers.add(registration.peerId());
                } else if (command instanceof DeletePeer deleted) {
                    livePeers.remove(deleted.peerId());
                } else if (command instanceof CreateGroup created) {
                    liveGroups.add(created.groupId());
                } else if (command instanceof DeleteGroup deleted) {
                    liveGroups.remove(deleted.groupId());
                }
            } catch (CommandRejected rejected) {
                assertThat(count(acc)).as("rejected %s left events", command).isEqualTo(before);
                assertCachedEqualsReplayed(acc, command);
            }
        }
        check(acc, all);
    }

    /** A rejected command keeps the cached account (see AccountCache), so it must not have changed it. */
    private static void assertCachedEqualsReplayed(String acc, Object rejectedCommand) {
        Account cached = loadRoot(acc);
        CACHE.removeAll();
        Account replayed = loadRoot(acc);
        assertThat(cached).isNotSameAs(replayed);
        assertThat(cached).as("account after rejected %s", rejectedCommand)
                .usingRecursiveComparison().usingOverriddenEquals().isEqualTo(replayed);
    }

    private static Account loadRoot(String acc) {
        DefaultUnitOfWork<?> unitOfWork = DefaultUnitOfWork.startAndGet(null);
        try {
            return unitOfWork.executeWithResult(() -> axon.repository(Account.class).load(acc).invoke(root -> root))
                    .getPayload();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Mostly a live id, sometimes any id of the pool (possibly gone or never created). */
    private static String pick(Random r, List<String> live, List<String> pool) {
        return !live.isEmpty() && r.nextInt(5) != 0 ? live.get(r.nextInt(live.size())) : pool.get(r.nextInt(pool.size()));
    }

    /** Mostly a subset of the live peers, sometimes with an unknown or deleted one mixed in. */
    private static List<String> subset(Random r, List<String> live, List<String> pool) {
        List<String> out = new ArrayList<>();
        for (String id : live) {
            if (r.nextBoolean()) {
                out.add(id);
            }
        }
        if (r.nextInt(4) == 0) {
            out.add(r.nextBoolean() ? "ghost" : pool.get(r.nextInt(pool.size())));
        }
        return out;
    }

    private static long count(String acc) {
        return axon.eventStore().readEvents(acc).asStream().count();
    }

    private static void check(String acc, String all) {
        Set<String> peers = new HashSet<>();
        Map<String, String> groupNames = new HashMap<>();
        Map<String, Set<String>> members = new HashMap<>();
        Map<String, List<String>> policyGroups = new HashMap<>();
        List<String> keyGroups = new ArrayList<>();
        Map<String, List<String>> userGroups = new HashMap<>();
        for (DomainEventMessage<?> message : axon.eventStore().readEvents(acc).asStream().toList()) {
            Object e = message.getPayload();
            if (e instanceof PeerRegistered p) {
                assertThat(peers.add(p.peerId())).as("peer %s registered once", p.peerId()).isTrue();
            } else if (e instanceof PeerDeleted p) {
                assertThat(peers.remove(p.peerId())).as("deleted peer %s existed", p.peerId()).isTrue();
                members.values().forEach(m -> m.remove(p.peerId()));
            } else if (e instanceof GroupCreated g) {
                assertThat(groupNames).as("group id %s new", g.groupId()).doesNotContainKey(g.groupId());
                assertThat(groupNames).as("group name %s unique", g.name()).doesNotContainValue(g.name());
                groupNames.put(g.groupId(), g.name());
                members.put(g.groupId(), new HashSet<>());
            } else if (e instanceof GroupRenamed g) {
                assertThat(g.groupId()).isNotEqualTo(all);
                assertThat(groupNames).containsEntry(g.groupId(), g.oldName()).doesNotContainValue(g.newName());
                groupNames.put(g.groupId(), g.newName());
            } else if (e instanceof PeerAddedToGroup m) {
                assertThat(m.groupId()).as("All holds peers implicitly").isNotEqualTo(all);
                assertThat(peers).contains(m.peerId());
                assertThat(members.get(m.groupId())).as("group %s exists", m.groupId()).isNotNull();
                assertThat(members.get(m.groupId()).add(m.peerId())).as("%s added to %s once", m.peerId(), m.groupId()).isTrue();
            } else if (e instanceof PeerRemovedFromGroup m) {
                assertThat(members.get(m.groupId()).remove(m.peerId())).as("%s was in %s", m.peerId(), m.groupId()).isTrue();
            } else if (e instanceof GroupDeleted g) {
                assertThat(g.groupId()).isNotEqualTo(all);
                assertThat(groupNames).containsKey(g.groupId());
                assertThat(policyGroups.values()).noneMatch(gs -> gs.contains(g.groupId()));
                assertThat(keyGroups).doesNotContain(g.groupId());
                assertThat(userGroups.values()).noneMatch(gs -> gs.contains(g.groupId()));
                groupNames.remove(g.groupId());
                members.remove(g.groupId());
            } else if (e instanceof PolicyCreated p) {
                assertThat(policyGroups).doesNotContainKey(p.policyId());
                assertThat(groupNames.keySet()).containsAll(p.definition().groups());
                policyGroups.put(p.policyId(), p.definition().groups());
            } else if (e instanceof PolicyUpdated p) {
                assertThat(policyGroups).containsKey(p.policyId());
                assertThat(groupNames.keySet()).containsAll(p.definition().groups());
                policyGroups.put(p.policyId(), p.definition().groups());
            } else if (e instanceof PolicyDeleted p) {
                assertThat(policyGroups.remove(p.policyId())).isNotNull();
            } else if (e instanceof UserCreated u) {
                assertThat(userGroups).doesNotContainKey(u.userId());
                assertThat(groupNames.keySet()).containsAll(u.autoGroups());
                userGroups.put(u.userId(), u.autoGroups());
            } else if (e instanceof UserAutoGroupsChanged u) {
                assertThat(groupNames.keySet()).containsAll(u.autoGroups());
                assertThat(u.autoGroups()).doesNotContain(all);
                assertThat(userGroups.put(u.userId(), u.autoGroups())).isNotNull();
            } else if (e instanceof UserDeleted u) {
                assertThat(u.userId()).as("the owner is never deleted").isNotEqualTo("o");
                assertThat(userGroups.remove(u.userId())).isNotNull();
            } else if (e instanceof SetupKeyCreated k) {
                keyGroups.addAll(k.autoGroups());
            } else if (e instanceof SetupKeyAutoGroupsChanged k) {
                assertThat(groupNames.keySet()).containsAll(k.autoGroups());
                assertThat(k.autoGroups()).doesNotContain(all);
                keyGroups.clear();
                keyGroups.addAll(k.autoGroups());
            }
        }
    }
}

package dev.tern.bench.history;

import dev.tern.command.Account;
import dev.tern.command.AccountCommandTargetResolver;
import dev.tern.command.CommandSideConfiguration;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.AccountCommand;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreateDnsRecord;
import dev.tern.events.commands.CreateDnsZone;
import dev.tern.events.commands.CreateGroup;
import dev.tern.events.commands.CreateNameServerGroup;
import dev.tern.events.commands.CreatePersonalAccessToken;
import dev.tern.events.commands.CreatePolicy;
import dev.tern.events.commands.CreateRoute;
import dev.tern.events.commands.CreateSetupKey;
import dev.tern.events.commands.CreateUser;
import dev.tern.events.commands.DeleteDnsRecord;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.commands.DeletePolicy;
import dev.tern.events.commands.DeleteRoute;
import dev.tern.events.commands.ExpirePeerLogin;
import dev.tern.events.commands.RecordSignIn;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.commands.UpdateDnsRecord;
import dev.tern.events.commands.UpdateGroup;
import dev.tern.events.commands.UpdatePeer;
import dev.tern.events.commands.UpdatePolicy;
import dev.tern.events.commands.UpdateSetupKey;
import dev.tern.events.commands.UpdateUser;
import dev.tern.events.meta.Actor;
import dev.tern.events.meta.EventMetadata;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsRecordType;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.NameServer;
import dev.tern.events.values.NameServerGroupDefinition;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.Secrets;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.UserRole;
import dev.tern.events.values.WireGuardKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.AggregateConfigurer;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;

/**
 * Writes the history of a fleet: several accounts of different sizes whose admins create users, groups, setup
 * keys, policies, routes and DNS, whose devices register, get renamed, log in again after their login expired and
 * get deleted, whose users sign in (and sometimes fail to), over about a year. Every event comes out of the real
 * account aggregate ({@link Account}), run on an in-memory Axon command side, so the history is one the server
 * could have written: it replays into every read model, and a command the account refuses (a name clash, a peer
 * linked to a route) appends nothing, as on a live server. Only the clock is the generator's: each command happens
 * a random few minutes after the one before.
 *
 * <p>Deterministic for a seed: the same seed and size give the same commands (ids and keys come from the seeded
 * random), so a cached history stays valid while {@link #VERSION} is unchanged. Bump it whenever the mix changes.
 */
public final class FleetHistory {
    /** Version of the mix below; part of the cache key of a generated history. */
    public static final int VERSION = 1;
    /** Where the history starts; commands follow about every {@code span / events} after. */
    static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
    static final Duration SPAN = Duration.ofDays(365);
    /** Relative sizes of the accounts: one big fleet, a few medium ones, a tail of small ones. */
    private static final int[] ACCOUNT_WEIGHTS = {40, 20, 10, 10, 8, 6, 4, 2};
    /** Events handed to the sink at a time. */
    static final int BATCH = 5_000;

    /** What a run wrote: events by payload type, commands sent and refused, and the accounts' users. */
    public record Summary(long events, long commands, long rejected, Map<String, Long> eventsByType,
                          Map<String, Integer> peersByAccount, Map<String, List<String>> usersByAccount,
                          Instant first, Instant last) {
    }

    private final Random random;
    private final long targetEvents;
    private final CommandGateway gateway;
    private final Configuration axon;
    private final CollectingStorageEngine engine = new CollectingStorageEngine();
    private final List<Fleet> fleets = new ArrayList<>();
    private final Map<String, Long> byType = new TreeMap<>();
    private final long meanStepMillis;
    private Instant now = START;
    private long events;
    private long commands;
    private long rejected;
    private Instant first;
    private Instant last;

    private FleetHistory(long targetEvents, long seed) {
        this.random = new Random(seed);
        this.targetEvents = targetEvents;
        // about 1.25 events per command in this mix
        this.meanStepMillis = Math.max(1, (long) (SPAN.toMillis() / Math.max(1.0, targetEvents / 1.25)));
        axon = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> engine)
                .configureCorrelationDataProviders(c -> List.of(new SimpleCorrelationDataProvider(
                        EventMetadata.PROPAGATED.toArray(String[]::new))))
                .configureAggregate(AggregateConfigurer.defaultConfiguration(Account.class)
                        .configureCommandTargetResolver(c -> new AccountCommandTargetResolver())
                        .configureCache(c -> CommandSideConfiguration.soleWriterAccountCache()))
                .buildConfiguration();
        gateway = axon.commandGateway();
    }

    /**
     * Generates at least {@code targetEvents} events (the last command's events complete the history, so a few
     * more) and hands them to {@code sink} in order, {@value #BATCH} at a time.
     */
    public static Summary generate(long targetEvents, long seed, Consumer<List<DomainEventMessage<?>>> sink) {
        FleetHistory history = new FleetHistory(targetEvents, seed);
        Clock previous = GenericEventMessage.clock;
        history.axon.start();
        try {
            return history.run(sink);
        } finally {
            GenericEventMessage.clock = previous;
            history.axon.shutdown();
        }
    }

    private Summary run(Consumer<List<DomainEventMessage<?>>> sink) {
        for (int a = 0; a < ACCOUNT_WEIGHTS.length; a++) {
            Fleet fleet = new Fleet(a, "acct-" + a + "-" + id(), 150 * ACCOUNT_WEIGHTS[a]);
            fleets.add(fleet);
            fleet.setUp();
            flush(sink, false);
        }
        int totalWeight = 0;
        for (int w : ACCOUNT_WEIGHTS) {
            totalWeight += w;
        }
        while (events + engine.size() < targetEvents) {
            int pick = random.nextInt(totalWeight);
            int a = 0;
            while (pick >= ACCOUNT_WEIGHTS[a]) {
                pick -= ACCOUNT_WEIGHTS[a++];
            }
            fleets.get(a).step();
            flush(sink, false);
        }
        flush(sink, true);
        Map<String, Integer> peers = new TreeMap<>();
        Map<String, List<String>> users = new TreeMap<>();
        for (Fleet fleet : fleets) {
            peers.put(fleet.accountId, fleet.peers.size());
            users.put(fleet.accountId, List.copyOf(fleet.users.keySet()));
        }
        return new Summary(events, commands, rejected, Map.copyOf(byType), peers, users, first, last);
    }

    private void flush(Consumer<List<DomainEventMessage<?>>> sink, boolean force) {
        if (!force && engine.size() < BATCH) {
            return;
        }
        List<DomainEventMessage<?>> batch = engine.drain();
        if (batch.isEmpty()) {
            return;
        }
        for (DomainEventMessage<?> event : batch) {
            byType.merge(event.getPayloadType().getSimpleName(), 1L, Long::sum);
            if (first == null) {
                first = event.getTimestamp();
            }
            last = event.getTimestamp();
        }
        events += batch.size();
        sink.accept(batch);
    }

    /** Sends one command at the next instant; a refusal is counted (the account appended nothing). */
    private boolean send(AccountCommand command, Actor actor) {
        now = now.plusMillis(1 + (long) (random.nextDouble() * 2 * meanStepMillis));
        // the account's and the events' time (restored by generate)
        GenericEventMessage.clock = Clock.fixed(now, ZoneOffset.UTC);
        commands++;
        try {
            gateway.sendAndWait(GenericCommandMessage.asCommandMessage(command)
                    .andMetaData(MetaData.from(actor.toMetadata())));
            return true;
        } catch (CommandRejected e) {
            rejected++;
            return false;
        }
    }

    private String id() {
        return Long.toHexString(random.nextLong() & Long.MAX_VALUE) + Long.toHexString(random.nextInt() & 0xffff);
    }

    private <T> T any(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    /** One account and what the generator knows of it, to send commands that make sense. */
    private final class Fleet {
        final int index;
        final String accountId;
        final int fleetSize;
        final String ownerId = id();
        final Map<String, UserRole> users = new HashMap<>();
        final List<String> admins = new ArrayList<>();
        final List<String> autoGroups = new ArrayList<>();
        final Map<String, LinkedHashSet<String>> teamGroups = new HashMap<>();
        final List<String> teamGroupIds = new ArrayList<>();
        final List<String> keyHashes = new ArrayList<>();
        final Map<String, String> keyIdByHash = new HashMap<>();
        final List<String> policies = new ArrayList<>();
        final List<String> routes = new ArrayList<>();
        final List<String> records = new ArrayList<>();
        final List<Peer> peers = new ArrayList<>();
        String zoneId;
        long hostSerial;

        Fleet(int index, String accountId, int fleetSize) {
            this.index = index;
            this.accountId = accountId;
            this.fleetSize = fleetSize;
        }

        Actor admin() {
            String userId = admins.isEmpty() ? ownerId : any(admins);
            return new Actor(Actor.Type.USER, userId, "admin " + userId, userId + "@fleet" + index + ".example");
        }

        void setUp() {
            send(new CreateAccount(accountId, Cidr.parse("100." + (64 + index) + ".0.0/16"), "fleet" + index
                    + ".tern.internal", ownerId, "owner@fleet" + index + ".example", "Owner " + index, id()),
                    new Actor(Actor.Type.USER, ownerId, "Owner " + index, "owner@fleet" + index + ".example"));
            users.put(ownerId, UserRole.OWNER);
            admins.add(ownerId);
            for (int i = 0; i < 3; i++) {
                createUser(UserRole.ADMIN);
            }
            for (int i = 0; i < 12; i++) {
                createUser(UserRole.USER);
            }
            for (int g = 0; g < 8; g++) {
                String groupId = id();
                if (send(new CreateGroup(accountId, groupId, "site-" + g, List.of()), admin())) {
                    autoGroups.add(groupId);
                }
            }
            for (int g = 0; g < 12; g++) {
                createTeamGroup();
            }
            for (int k = 0; k < 6; k++) {
                createSetupKey();
            }
            for (int p = 0; p < 10; p++) {
                createPolicy();
            }
            zoneId = id();
            send(new CreateDnsZone(accountId, zoneId, new DnsZoneDefinition("internal", "corp" + index + ".example",
                    true, false, List.of(autoGroups.get(0)))), admin());
            send(new CreateNameServerGroup(accountId, id(), new NameServerGroupDefinition("office dns", "",
                    List.of(new NameServer("10." + index + ".0.53", NameServer.UDP, 53)), true,
                    List.of(autoGroups.get(1)), false, List.of("office" + index + ".example"), true)), admin());
        }

        void createUser(UserRole role) {
            String userId = id();
            if (send(new CreateUser(accountId, userId, userId + "@fleet" + index + ".example", "user " + userId, role,
                    false, List.of(), ownerId), admin())) {
                users.put(userId, role);
                if (role == UserRole.ADMIN) {
                    admins.add(userId);
                }
            }
        }

        void createTeamGroup() {
            String groupId = id();
            if (send(new CreateGroup(accountId, groupId, "team-" + groupId.substring(0, 6), List.of()), admin())) {
                teamGroups.put(groupId, new LinkedHashSet<>());
                teamGroupIds.add(groupId);
            }
        }

        void createSetupKey() {
            String plain = "key-" + id();
            String hash = Secrets.sha256Hex(plain);
            String keyId = id();
            if (send(new CreateSetupKey(accountId, keyId, "key " + keyId.substring(0, 6), SetupKeyType.REUSABLE, hash,
                    plain.substring(0, 5), null, 0, List.of(any(autoGroups)), false, false), admin())) {
                keyHashes.add(hash);
                keyIdByHash.put(hash, keyId);
            }
        }

        PolicyDefinition policy(String name) {
            List<String> all = new ArrayList<>(autoGroups);
            all.addAll(teamGroupIds);
            boolean ssh = random.nextBoolean();
            return new PolicyDefinition(name, "", true, List.of(new PolicyRule(id(), name, "", true,
                    RuleAction.ACCEPT, !ssh, ssh ? Protocol.TCP : Protocol.ALL,
                    ssh ? List.of(new PortRange(22, 22)) : List.of(), List.of(), List.of(any(all)),
                    List.of(any(all)), null)), List.of());
        }

        void createPolicy() {
            String policyId = id();
            if (send(new CreatePolicy(accountId, policyId, policy("policy " + policyId.substring(0, 6))), admin())) {
                policies.add(policyId);
            }
        }

        void step() {
            int roll = random.nextInt(1000);
            boolean growing = peers.size() < fleetSize;
            if (peers.isEmpty() || roll < (growing ? 260 : 120)) {
                registerPeer();
            } else if (roll < 450) {
                signIn();
            } else if (roll < 530) {
                expireOrRenew();
            } else if (roll < 600) {
                renamePeer();
            } else if (roll < 650) {
                togglePeer();
            } else if (roll < 740) {
                changeTeam();
            } else if (roll < (growing ? 760 : 880)) {
                deletePeer();
            } else if (roll < 900) {
                policyChange();
            } else if (roll < 930) {
                dnsRecordChange();
            } else if (roll < 950) {
                routeChange();
            } else if (roll < 965) {
                setupKeyChange();
            } else if (roll < 980) {
                userChange();
            } else if (roll < 990) {
                groupChange();
            } else {
                personalAccessToken();
            }
        }

        void registerPeer() {
            byte[] raw = new byte[32];
            random.nextBytes(raw);
            WireGuardKey key = WireGuardKey.of(raw);
            String keyHash = any(keyHashes);
            String peerId = id();
            String host = (random.nextInt(3) == 0 ? "laptop-" : "srv-") + (hostSerial++ % 400);
            if (send(new RegisterPeer(accountId, peerId, keyHash, key, PeerSystemMeta.ofHostname(host), List.of()),
                    new Actor(Actor.Type.PEER, peerId, host, ""))) {
                peers.add(new Peer(peerId, key, keyHash, host));
            }
        }

        void signIn() {
            String userId = any(List.copyOf(users.keySet()));
            boolean ok = random.nextInt(10) != 0;
            send(new RecordSignIn(accountId, userId, ok, ok ? null : "wrong_password"),
                    new Actor(Actor.Type.USER, userId, "user " + userId, userId + "@fleet" + index + ".example"));
        }

        /** Turns login expiration on for a peer, expires one whose login is due, or brings an expired one back. */
        void expireOrRenew() {
            Peer peer = any(peers);
            if (!peer.loginExpiration) {
                peer.loginExpiration = send(new UpdatePeer(accountId, peer.id, peer.name, peer.ssh, true, false),
                        admin());
            } else if (!peer.expired) {
                // due only after the account's 24 h; before that the account appends nothing
                send(new ExpirePeerLogin(accountId, peer.id, PeerExpiry.LOGIN), Actor.SYSTEM);
                peer.expired = true;
            } else {
                if (!keyHashes.contains(peer.keyHash)) {
                    peer.keyHash = any(keyHashes);
                }
                send(new RegisterPeer(accountId, id(), peer.keyHash, peer.key, PeerSystemMeta.ofHostname(peer.host),
                        List.of()), new Actor(Actor.Type.PEER, peer.id, peer.host, ""));
                peer.expired = false;
            }
        }

        void renamePeer() {
            Peer peer = any(peers);
            String name = peer.host + "-" + Integer.toString(random.nextInt(1000), 36);
            if (send(new UpdatePeer(accountId, peer.id, name, peer.ssh, peer.loginExpiration, false), admin())) {
                peer.name = name;
            }
        }

        void togglePeer() {
            Peer peer = any(peers);
            if (send(new UpdatePeer(accountId, peer.id, peer.name, !peer.ssh, peer.loginExpiration, false), admin())) {
                peer.ssh = !peer.ssh;
            }
        }

        void changeTeam() {
            if (teamGroupIds.isEmpty()) {
                createTeamGroup();
                return;
            }
            String groupId = any(teamGroupIds);
            LinkedHashSet<String> members = new LinkedHashSet<>(teamGroups.get(groupId));
            if (!members.isEmpty() && (members.size() > 200 || random.nextInt(3) == 0)) {
                members.remove(any(List.copyOf(members)));
            } else {
                members.add(any(peers).id);
            }
            String name = "team-" + groupId.substring(0, 6);
            if (send(new UpdateGroup(accountId, groupId, name, List.copyOf(members)), admin())) {
                teamGroups.put(groupId, members);
            }
        }

        void deletePeer() {
            Peer peer = peers.get(random.nextInt(peers.size()));
            if (send(new DeletePeer(accountId, peer.id), admin())) {
                peers.remove(peer);
                teamGroups.values().forEach(members -> members.remove(peer.id));
            }
        }

        void policyChange() {
            int roll = random.nextInt(10);
            if (policies.isEmpty() || roll < 3) {
                createPolicy();
            } else if (roll < 8) {
                String policyId = any(policies);
                send(new UpdatePolicy(accountId, policyId, policy("policy " + policyId.substring(0, 6))), admin());
            } else if (policies.size() > 5) {
                String policyId = any(policies);
                if (send(new DeletePolicy(accountId, policyId), admin())) {
                    policies.remove(policyId);
                }
            }
        }

        void dnsRecordChange() {
            int roll = random.nextInt(10);
            if (records.isEmpty() || roll < 5) {
                String recordId = id();
                if (send(new CreateDnsRecord(accountId, zoneId, recordId, record(recordId)), admin())) {
                    records.add(recordId);
                }
            } else if (roll < 8) {
                String recordId = any(records);
                send(new UpdateDnsRecord(accountId, zoneId, recordId, record(recordId)), admin());
            } else {
                String recordId = any(records);
                if (send(new DeleteDnsRecord(accountId, zoneId, recordId), admin())) {
                    records.remove(recordId);
                }
            }
        }

        DnsRecordDefinition record(String recordId) {
            return new DnsRecordDefinition("h" + recordId.substring(0, 8) + ".corp" + index + ".example",
                    DnsRecordType.A, "10." + index + "." + random.nextInt(256) + "." + (1 + random.nextInt(254)),
                    300);
        }

        void routeChange() {
            if (routes.size() < 6 || random.nextBoolean()) {
                String routeId = id();
                Peer via = any(peers);
                if (send(new CreateRoute(accountId, routeId, new RouteDefinition("office", "net-" + routes.size(),
                        true, via.id, List.of(), Cidr.parse("10." + (100 + random.nextInt(100)) + "."
                        + random.nextInt(256) + ".0/24"), List.of(), 100, true, List.of(any(autoGroups)), false,
                        List.of(), false)), admin())) {
                    routes.add(routeId);
                }
            } else {
                String routeId = any(routes);
                if (send(new DeleteRoute(accountId, routeId), admin())) {
                    routes.remove(routeId);
                }
            }
        }

        void setupKeyChange() {
            if (keyHashes.size() < 4 || random.nextInt(3) > 0) {
                createSetupKey();
            } else {
                String hash = any(keyHashes);
                if (send(new UpdateSetupKey(accountId, keyIdByHash.get(hash), true, List.of(any(autoGroups))),
                        admin())) {
                    keyHashes.remove(hash);
                }
            }
        }

        void userChange() {
            List<String> regular = users.entrySet().stream().filter(e -> e.getValue() == UserRole.USER)
                    .map(Map.Entry::getKey).toList();
            if (regular.size() < 10 || random.nextBoolean()) {
                createUser(UserRole.USER);
            } else {
                String userId = any(regular);
                boolean blocked = random.nextBoolean();
                send(new UpdateUser(accountId, userId, UserRole.USER, List.of(any(autoGroups)), blocked, ownerId),
                        admin());
            }
        }

        void groupChange() {
            if (teamGroupIds.size() < 8 || random.nextBoolean()) {
                createTeamGroup();
            } else {
                String groupId = any(teamGroupIds);
                // a group a policy names cannot go: the account refuses, as NetBird does
                if (send(new DeleteGroup(accountId, groupId), admin())) {
                    teamGroupIds.remove(groupId);
                    teamGroups.remove(groupId);
                }
            }
        }

        void personalAccessToken() {
            String userId = any(admins);
            send(new CreatePersonalAccessToken(accountId, id(), userId, "ci token", Secrets.sha256Hex(id()),
                    now.plus(Duration.ofDays(90)), userId),
                    new Actor(Actor.Type.USER, userId, "admin " + userId, userId + "@fleet" + index + ".example"));
        }
    }

    private static final class Peer {
        final String id;
        final WireGuardKey key;
        final String host;
        String keyHash;
        String name;
        boolean ssh;
        boolean loginExpiration;
        boolean expired;

        Peer(String id, WireGuardKey key, String keyHash, String host) {
            this.id = id;
            this.key = key;
            this.keyHash = keyHash;
            this.host = host;
            this.name = host;
        }
    }

    /** The accounts' ids for the given summary, biggest first (the order of {@link #ACCOUNT_WEIGHTS}). */
    static List<String> accountsBySize(Summary summary) {
        List<String> ids = new ArrayList<>(summary.usersByAccount().keySet());
        ids.sort((a, b) -> Integer.compare(index(a), index(b)));
        return ids;
    }

    private static int index(String accountId) {
        return Integer.parseInt(accountId.split("-")[1]);
    }
}

package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountEvent;
import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.values.MeshIp;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.UserBlocked;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerExtraDnsLabelsSet;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.DnsRecordCreated;
import dev.tern.events.DnsRecordDeleted;
import dev.tern.events.DnsRecordUpdated;
import dev.tern.events.DnsSettingsUpdated;
import dev.tern.events.DnsZoneCreated;
import dev.tern.events.DnsZoneDeleted;
import dev.tern.events.DnsZoneUpdated;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.NameServerGroupDeleted;
import dev.tern.events.NameServerGroupUpdated;
import dev.tern.events.values.DnsRecordDefinition;
import dev.tern.events.values.DnsRecordType;
import dev.tern.events.values.DnsZoneDefinition;
import dev.tern.events.values.NameServer;
import dev.tern.events.values.NameServerGroupDefinition;
import dev.tern.events.NetworkResourceCreated;
import dev.tern.events.NetworkResourceDeleted;
import dev.tern.events.NetworkResourceUpdated;
import dev.tern.events.NetworkRouterCreated;
import dev.tern.events.NetworkRouterDeleted;
import dev.tern.events.NetworkRouterUpdated;
import dev.tern.events.values.NetworkResourceDefinition;
import dev.tern.events.values.NetworkRouterDefinition;
import dev.tern.events.RouteCreated;
import dev.tern.events.RouteDeleted;
import dev.tern.events.RouteUpdated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Over random event sequences the incremental projector must agree, after every single event, with a from-scratch
 * computation of every peer's map; serials must grow exactly for the maps that changed, and exactly those maps
 * must be published.
 */
class IncrementalEqualsNaivePropertyTest {

    /** One abstract step; {@link Script} turns it into a valid event against the current state. */
    record Step(Kind kind, int a, int b, long seed) {
    }

    enum Kind {
        REGISTER_PEER, DELETE_PEER, CREATE_GROUP, DELETE_GROUP, ADD_MEMBER, REMOVE_MEMBER,
        CREATE_POLICY, UPDATE_POLICY, DELETE_POLICY, RENAME_PEER, TOGGLE_SSH, RENAME_GROUP, UNRELATED,
        EXPIRE_LOGIN, RENEW_LOGIN, LIFT_EXPIRY, UPDATE_SETTINGS,
        DNS_SETTINGS, PUT_NAMESERVER_GROUP, DELETE_NAMESERVER_GROUP, PUT_ZONE, DELETE_ZONE, PUT_RECORD, DELETE_RECORD,
        CREATE_ROUTE, UPDATE_ROUTE, DELETE_ROUTE,
        PUT_RESOURCE, DELETE_RESOURCE, PUT_ROUTER, DELETE_ROUTER, SET_EXTRA_LABELS, MOVE_NETWORK
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Kind.REGISTER_PEER)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DELETE_PEER)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.CREATE_GROUP)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DELETE_GROUP)),
                net.jqwik.api.Tuple.of(5, Arbitraries.just(Kind.ADD_MEMBER)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.REMOVE_MEMBER)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.CREATE_POLICY)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.UPDATE_POLICY)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DELETE_POLICY)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.RENAME_PEER)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.TOGGLE_SSH)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.RENAME_GROUP)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.UNRELATED)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.EXPIRE_LOGIN)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.RENEW_LOGIN)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.LIFT_EXPIRY)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.UPDATE_SETTINGS)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DNS_SETTINGS)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.PUT_NAMESERVER_GROUP)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DELETE_NAMESERVER_GROUP)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.PUT_ZONE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DELETE_ZONE)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.PUT_RECORD)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DELETE_RECORD)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.CREATE_ROUTE)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.UPDATE_ROUTE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DELETE_ROUTE)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.PUT_RESOURCE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DELETE_RESOURCE)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.PUT_ROUTER)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.DELETE_ROUTER)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.SET_EXTRA_LABELS)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.MOVE_NETWORK)));
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 1000);
        Arbitrary<Long> seed = Arbitraries.longs();
        return Combinators.combine(kinds, index, index, seed).as(Step::new).list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 400)
    void incrementalMapsEqualNaiveRecomputationAfterEveryEventOrBatch(@ForAll("steps") List<Step> steps) {
        NetworkMapProjector projector = new NetworkMapProjector();
        NaiveNetworkMaps naive = new NaiveNetworkMaps(ACCOUNT);
        Script script = new Script(naive);
        Map<String, NetworkMapHub.Subscription> subscriptions = new HashMap<>();
        Map<String, PeerNetworkMap> previous = new HashMap<>();

        List<AccountEvent> history = new ArrayList<>(List.of(accountCreated(), allGroup()));
        for (AccountEvent event : history) {
            projector.apply(event);
            naive.apply(event);
        }
        // which events ended a batch (were flushed), so a replay can batch the same way
        List<Boolean> flushedAfter = new ArrayList<>(List.of(true, true));
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            AccountEvent event = script.eventFor(step);
            if (event == null) {
                continue;
            }
            history.add(event);
            boolean batchedWithNext = i < steps.size() - 1 && (step.seed() & 3) == 0;
            flushedAfter.add(!batchedWithNext);
            if (batchedWithNext) {
                // batched with what follows, as the processor hands events over: maps are computed at the next flush
                projector.stage(event, 0);
                naive.apply(event);
                continue;
            }
            List<PeerNetworkMap> changed = projector.apply(event);
            naive.apply(event);

            Map<String, PeerNetworkMap> expected = naive.computeAll();
            Map<String, PeerNetworkMap> actual = projector.currentMaps(ACCOUNT);
            assertThat(actual.keySet()).as("peers with a map after %s", event).isEqualTo(expected.keySet());

            Set<String> reallyChanged = new HashSet<>();
            for (Map.Entry<String, PeerNetworkMap> entry : actual.entrySet()) {
                String peerId = entry.getKey();
                PeerNetworkMap map = entry.getValue();
                assertThat(map.withSerial(0)).as("map of %s after %s", peerId, event).isEqualTo(expected.get(peerId));
                PeerNetworkMap before = previous.get(peerId);
                if (before == null || !before.sameContentAs(map)) {
                    reallyChanged.add(peerId);
                    if (before != null) {
                        NetworkMapDelta delta = NetworkMapDelta.between(before, map);
                        assertThat(delta.isEmpty()).as("delta of a changed map").isFalse();
                        assertThat(delta.applyTo(before)).as("delta of %s applied", peerId).isEqualTo(map);
                    }
                    assertThat(map.serial()).as("serial of changed map of %s", peerId)
                            .isGreaterThan(before == null ? 0 : before.serial());
                } else {
                    assertThat(map.serial()).as("serial of unchanged map of %s", peerId).isEqualTo(before.serial());
                }
            }
            assertThat(changed).extracting(PeerNetworkMap::peerId).as("reported changes after %s", event)
                    .containsExactlyInAnyOrderElementsOf(reallyChanged);

            for (String peerId : actual.keySet()) {
                NetworkMapHub.Subscription subscription = subscriptions.get(peerId);
                if (subscription == null) {
                    continue;
                }
                var published = subscription.poll();
                if (reallyChanged.contains(peerId)) {
                    assertThat(published).as("publication for %s", peerId).contains(actual.get(peerId));
                } else {
                    assertThat(published).as("no publication for unchanged %s", peerId).isEmpty();
                }
            }
            for (String peerId : actual.keySet()) {
                subscriptions.computeIfAbsent(peerId, id -> {
                    NetworkMapHub.Subscription s = projector.hub().subscribe(ACCOUNT, id);
                    return s;
                });
            }
            subscriptions.entrySet().removeIf(entry -> {
                if (actual.containsKey(entry.getKey())) {
                    return false;
                }
                assertThat(entry.getValue().isPeerRemoved()).as("subscription of deleted %s ended", entry.getKey()).isTrue();
                return true;
            });
            previous = actual;
        }

        // steps after the last batched one may all have been no-ops: the batch still ends
        projector.flush();
        Map<String, PeerNetworkMap> expectedAtEnd = naive.computeAll();
        assertThat(projector.currentMaps(ACCOUNT).keySet()).isEqualTo(expectedAtEnd.keySet());
        projector.currentMaps(ACCOUNT).forEach((peerId, map) ->
                assertThat(map.withSerial(0)).as("final map of %s", peerId).isEqualTo(expectedAtEnd.get(peerId)));

        NetworkMapProjector replayed = new NetworkMapProjector();
        for (int i = 0; i < history.size(); i++) {
            replayed.stage(history.get(i), 0);
            if (flushedAfter.get(i)) {
                replayed.flush();
            }
        }
        replayed.flush();
        assertThat(replayed.currentMaps(ACCOUNT)).as("a replay in the same batches yields the same maps and serials")
                .isEqualTo(projector.currentMaps(ACCOUNT));
        NetworkMapProjector oneByOne = new NetworkMapProjector();
        history.forEach(oneByOne::apply);
        Map<String, PeerNetworkMap> unbatched = oneByOne.currentMaps(ACCOUNT);
        assertThat(unbatched.keySet()).isEqualTo(projector.currentMaps(ACCOUNT).keySet());
        projector.currentMaps(ACCOUNT).forEach((peerId, map) -> assertThat(unbatched.get(peerId).sameContentAs(map))
                .as("a replay in other batches yields the same content for %s", peerId).isTrue());

        NetworkMapProjector onDemand = NetworkMapProjector.computingOnDemand();
        for (int i = 0; i < history.size(); i++) {
            onDemand.stage(history.get(i), i);
            if (i == history.size() / 2) {
                onDemand.currentMaps(ACCOUNT); // computed midway: the later events must not find them standing
            }
        }
        Map<String, PeerNetworkMap> computed = onDemand.currentMaps(ACCOUNT);
        assertThat(computed.keySet()).isEqualTo(projector.currentMaps(ACCOUNT).keySet());
        projector.currentMaps(ACCOUNT).forEach((peerId, map) -> {
            assertThat(computed.get(peerId).sameContentAs(map)).as("on demand, the same content for %s", peerId)
                    .isTrue();
            assertThat(computed.get(peerId).serial()).isEqualTo(Math.max(1, history.size() - 1));
        });
    }

    /** Turns abstract steps into events that are valid against the current state (as the command side ensures). */
    static final class Script {
        private final NaiveNetworkMaps state;
        private int nextPeer;
        private int nextGroup;
        private int nextPolicy;
        private int nextRoute;
        private int nextMove;
        private final Map<String, Boolean> ssh = new HashMap<>();

        Script(NaiveNetworkMaps state) {
            this.state = state;
        }

        private static <T> T pick(List<T> items, int index) {
            return items.isEmpty() ? null : items.get(index % items.size());
        }

        AccountEvent eventFor(Step step) {
            List<String> peers = state.peerIds();
            List<String> groups = state.groupIds();
            List<String> userGroups = groups.stream().filter(g -> !g.equals(state.allGroupId())).toList();
            List<String> policies = state.policyIds();
            switch (step.kind()) {
                case REGISTER_PEER -> {
                    int n = ++nextPeer;
                    return peer("p" + n, n);
                }
                case DELETE_PEER -> {
                    String peerId = pick(peers, step.a());
                    return peerId == null ? null : new PeerDeleted(ACCOUNT, peerId, state.keyOf(peerId));
                }
                case CREATE_GROUP -> {
                    return group("g" + ++nextGroup);
                }
                case DELETE_GROUP -> {
                    String groupId = pick(userGroups, step.a());
                    return groupId == null ? null : new GroupDeleted(ACCOUNT, groupId, "name-" + groupId);
                }
                case ADD_MEMBER -> {
                    String groupId = pick(userGroups, step.a());
                    String peerId = pick(peers, step.b());
                    return groupId == null || peerId == null || state.members(groupId).contains(peerId)
                            ? null : new PeerAddedToGroup(ACCOUNT, groupId, peerId);
                }
                case REMOVE_MEMBER -> {
                    String groupId = pick(userGroups, step.a());
                    if (groupId == null || state.members(groupId).isEmpty()) {
                        return null;
                    }
                    String peerId = pick(new ArrayList<>(state.members(groupId)), step.b());
                    return new PeerRemovedFromGroup(ACCOUNT, groupId, peerId);
                }
                case CREATE_POLICY -> {
                    return new PolicyCreated(ACCOUNT, "pol" + ++nextPolicy, definition(groups, step.seed()));
                }
                case UPDATE_POLICY -> {
                    String policyId = pick(policies, step.a());
                    return policyId == null ? null : new PolicyUpdated(ACCOUNT, policyId, definition(groups, step.seed()));
                }
                case DELETE_POLICY -> {
                    String policyId = pick(policies, step.a());
                    return policyId == null ? null : new PolicyDeleted(ACCOUNT, policyId, "x");
                }
                case RENAME_PEER -> {
                    String peerId = pick(peers, step.a());
                    String name = "renamed" + step.b();
                    return peerId == null ? null : new PeerRenamed(ACCOUNT, peerId, "old", name, name + "-" + peerId);
                }
                case TOGGLE_SSH -> {
                    String peerId = pick(peers, step.a());
                    if (peerId == null) {
                        return null;
                    }
                    boolean enabled = !ssh.getOrDefault(peerId, false);
                    ssh.put(peerId, enabled);
                    return new PeerSshChanged(ACCOUNT, peerId, enabled);
                }
                case SET_EXTRA_LABELS -> {
                    String peerId = pick(peers, step.a());
                    List<String> labels = step.b() % 3 == 0 ? List.of() : List.of("extra" + step.b() + "-" + peerId);
                    return peerId == null ? null : new PeerExtraDnsLabelsSet(ACCOUNT, peerId, labels);
                }
                case MOVE_NETWORK -> {
                    // every peer keeps its host offset in 10.<n>.0.0/16; later registrations stay in 100.64/16
                    Cidr moved = new Cidr("10." + ++nextMove + ".0.0", 16);
                    List<AccountNetworkRangeChanged.PeerAddress> addresses = peers.stream()
                            .map(id -> new AccountNetworkRangeChanged.PeerAddress(id, MeshIp.of(moved.networkBits()
                                    + (state.ipOf(id).bits() & 0xffff)))).toList();
                    return new AccountNetworkRangeChanged(ACCOUNT, NETWORK, moved, addresses);
                }
                case RENAME_GROUP -> {
                    String groupId = pick(userGroups, step.a());
                    return groupId == null ? null : new GroupRenamed(ACCOUNT, groupId, "old", "renamed" + step.b());
                }
                case UNRELATED -> {
                    String peerId = pick(peers, step.a());
                    return step.b() % 2 == 0 || peerId == null
                            ? new UserBlocked(ACCOUNT, "user" + step.b())
                            : new PeerLoginExpirationChanged(ACCOUNT, peerId, step.b() % 4 == 1);
                }
                case EXPIRE_LOGIN -> {
                    // the account expires only peers that are not expired yet
                    String peerId = pick(peers.stream().filter(p -> !state.isExpired(p)).toList(), step.a());
                    return peerId == null ? null : new PeerLoginExpired(ACCOUNT, peerId,
                            step.b() % 2 == 0 ? PeerExpiry.LOGIN : PeerExpiry.INACTIVITY, Instant.EPOCH);
                }
                case RENEW_LOGIN -> {
                    // the account renews only lapsed logins; a renewal of a peer that is not expired must change nothing anyway
                    String peerId = pick(peers, step.a());
                    return peerId == null ? null : new PeerLoginRenewed(ACCOUNT, peerId, "setup-key", Instant.EPOCH);
                }
                case LIFT_EXPIRY -> {
                    String peerId = pick(peers.stream().filter(state::isExpired).toList(), step.a());
                    return peerId == null ? null : new PeerLoginExpiryLifted(ACCOUNT, peerId);
                }
                case UPDATE_SETTINGS -> {
                    AccountSettings before = AccountSettings.defaults();
                    return new AccountSettingsUpdated(ACCOUNT, before, new AccountSettings(step.b() % 2 == 0,
                            before.peerLoginExpirationSeconds() + step.a(), step.b() % 3 == 0,
                            before.peerInactivityExpirationSeconds()));
                }
                case CREATE_ROUTE -> {
                    return new RouteCreated(ACCOUNT, "route" + ++nextRoute, route(peers, groups, step.seed()));
                }
                case UPDATE_ROUTE -> {
                    String routeId = pick(state.routeIds(), step.a());
                    return routeId == null ? null : new RouteUpdated(ACCOUNT, routeId, route(peers, groups, step.seed()));
                }
                case DELETE_ROUTE -> {
                    String routeId = pick(state.routeIds(), step.a());
                    return routeId == null ? null : new RouteDeleted(ACCOUNT, routeId, "x");
                }
                case PUT_RESOURCE -> {
                    // a few resource ids across two networks: puts both create and replace
                    String resourceId = "res" + step.a() % 4;
                    String networkId = "net" + resourceId.hashCode() % 2;
                    return state.resourceIds().contains(resourceId)
                            ? new NetworkResourceUpdated(ACCOUNT, networkId, resourceId, resource(groups, step.seed()))
                            : new NetworkResourceCreated(ACCOUNT, networkId, resourceId, resource(groups, step.seed()));
                }
                case DELETE_RESOURCE -> {
                    String resourceId = pick(state.resourceIds(), step.a());
                    return resourceId == null ? null : new NetworkResourceDeleted(ACCOUNT,
                            "net" + resourceId.hashCode() % 2, resourceId, "x");
                }
                case PUT_ROUTER -> {
                    String routerId = "rt" + step.a() % 4;
                    String networkId = "net" + (step.a() / 4) % 2;
                    NetworkRouterDefinition router = router(peers, groups, step.seed());
                    return state.routerIds().contains(routerId)
                            ? new NetworkRouterUpdated(ACCOUNT, networkId, routerId, router)
                            : new NetworkRouterCreated(ACCOUNT, networkId, routerId, router);
                }
                case DELETE_ROUTER -> {
                    String routerId = pick(state.routerIds(), step.a());
                    return routerId == null ? null : new NetworkRouterDeleted(ACCOUNT, "net0", routerId);
                }
                default -> {
                    return dnsEventFor(step, groups);
                }
            }
        }

        private List<String> disabledGroups = List.of();
        private int nextDns;

        /** DNS steps: created or replaced (about half each), deleted; over existing groups, as the account ensures. */
        private AccountEvent dnsEventFor(Step step, List<String> groups) {
            NaiveDns dns = state.dns;
            Random random = new Random(step.seed());
            switch (step.kind()) {
                case DNS_SETTINGS -> {
                    List<String> before = disabledGroups;
                    disabledGroups = random.nextInt(3) == 0 ? List.of() : someOf(groups, random);
                    return new DnsSettingsUpdated(ACCOUNT, before, disabledGroups);
                }
                case PUT_NAMESERVER_GROUP -> {
                    String id = pick(dns.nameServerGroupIds(), step.a());
                    boolean primary = random.nextInt(3) == 0;
                    NameServerGroupDefinition definition = new NameServerGroupDefinition("ns" + step.b(), "",
                            List.of(new NameServer("10.9.0." + (1 + random.nextInt(3)), "udp", 53)),
                            random.nextInt(5) != 0, someOf(groups, random), primary,
                            primary ? List.of() : List.of("corp" + random.nextInt(2) + ".example"),
                            !primary && random.nextBoolean());
                    return id == null || random.nextBoolean()
                            ? new NameServerGroupCreated(ACCOUNT, "ns" + ++nextDns, definition)
                            : new NameServerGroupUpdated(ACCOUNT, id, definition);
                }
                case DELETE_NAMESERVER_GROUP -> {
                    String id = pick(dns.nameServerGroupIds(), step.a());
                    return id == null ? null : new NameServerGroupDeleted(ACCOUNT, id, "x");
                }
                case PUT_ZONE -> {
                    String id = pick(dns.zoneIds(), step.a());
                    // a zone keeps its domain on update (its records must stay within it)
                    String domain = id == null ? "zone" + nextDns + ".example" : dns.domainOf(id);
                    DnsZoneDefinition definition = new DnsZoneDefinition("zone", domain, random.nextInt(5) != 0,
                            random.nextBoolean(), someOf(groups, random));
                    return id == null || random.nextInt(3) == 0
                            ? new DnsZoneCreated(ACCOUNT, "z" + ++nextDns, new DnsZoneDefinition("zone",
                            "zone" + nextDns + ".example", definition.enabled(), definition.enableSearchDomain(),
                            definition.distributionGroups()))
                            : new DnsZoneUpdated(ACCOUNT, id, definition);
                }
                case DELETE_ZONE -> {
                    String id = pick(dns.zoneIds(), step.a());
                    return id == null ? null : new DnsZoneDeleted(ACCOUNT, id, "zone", dns.domainOf(id));
                }
                case PUT_RECORD -> {
                    String zoneId = pick(dns.zoneIds(), step.a());
                    if (zoneId == null) {
                        return null;
                    }
                    String recordId = pick(dns.recordIds(zoneId), step.b());
                    boolean v4 = random.nextBoolean();
                    DnsRecordDefinition definition = new DnsRecordDefinition("h" + random.nextInt(3) + "."
                            + dns.domainOf(zoneId), v4 ? DnsRecordType.A : DnsRecordType.AAAA,
                            v4 ? "10.10.10." + random.nextInt(4) : "fd00::" + random.nextInt(4),
                            60 + random.nextInt(2));
                    return recordId == null || random.nextBoolean()
                            ? new DnsRecordCreated(ACCOUNT, zoneId, "r" + ++nextDns, definition)
                            : new DnsRecordUpdated(ACCOUNT, zoneId, recordId, definition);
                }
                case DELETE_RECORD -> {
                    String zoneId = pick(dns.zoneIds(), step.a());
                    String recordId = zoneId == null ? null : pick(dns.recordIds(zoneId), step.b());
                    return recordId == null ? null : new DnsRecordDeleted(ACCOUNT, zoneId, recordId, "x");
                }
                default -> throw new IllegalStateException(step.kind().name());
            }
        }

        private static PolicyDefinition definition(List<String> groups, long seed) {
            Random random = new Random(seed);
            int ruleCount = 1 + random.nextInt(2);
            List<PolicyRule> rules = new ArrayList<>();
            for (int i = 0; i < ruleCount; i++) {
                Protocol protocol = Protocol.values()[random.nextInt(Protocol.values().length)];
                List<PortRange> ports = new ArrayList<>();
                List<PortRange> ranges = new ArrayList<>();
                if (protocol == Protocol.TCP || protocol == Protocol.UDP) {
                    // adjacent (80, 81), repeated (80 twice) and inside the range below (8050): merged in maps
                    int[] candidates = {22, 80, 81, 80, 443, 8050};
                    for (int port : candidates) {
                        if (random.nextInt(3) == 0) {
                            ports.add(PortRange.single(port));
                        }
                    }
                    if (random.nextBoolean()) {
                        ranges.add(new PortRange(8000, 8000 + random.nextInt(100)));
                    }
                }
                // some rules go to a network resource (PUT_RESOURCE's ids), with or without destination groups
                boolean toResource = random.nextInt(4) == 0;
                rules.add(new PolicyRule("r" + i, "rule" + i, "", random.nextInt(6) != 0,
                        random.nextInt(5) == 0 ? RuleAction.DROP : RuleAction.ACCEPT, random.nextBoolean(),
                        protocol, ports, ranges, someOf(groups, random),
                        toResource && random.nextBoolean() ? List.of() : someOf(groups, random),
                        toResource ? new dev.tern.events.values.ResourceRef("res" + random.nextInt(4), "subnet")
                                : null));
            }
            return new PolicyDefinition("policy", "", random.nextInt(7) != 0, rules, List.of());
        }

        /**
         * A route through one peer or through peer groups, to one of few networks or domain lists under one of two
         * network ids (so high-availability groups form), sometimes disabled, sometimes with access-control groups.
         */
        private static RouteDefinition route(List<String> peers, List<String> groups, long seed) {
            Random random = new Random(seed);
            boolean viaPeer = !peers.isEmpty() && random.nextBoolean();
            String[] networks = {"10.0.0.0/24", "10.0.1.0/24", "0.0.0.0/0", null};
            String network = networks[random.nextInt(networks.length)];
            return new RouteDefinition("", random.nextBoolean() ? "a" : "b", random.nextInt(5) != 0,
                    viaPeer ? peers.get(random.nextInt(peers.size())) : null,
                    viaPeer ? List.of() : someOf(groups, random),
                    network == null ? null : Cidr.parse(network),
                    network == null ? List.of("corp.example") : List.of(), 1 + random.nextInt(3), random.nextBoolean(),
                    someOf(groups, random), random.nextBoolean(),
                    random.nextBoolean() ? List.of() : someOf(groups, random), false);
        }

        /** A subnet, host or domain resource in some groups, sometimes disabled. */
        private static NetworkResourceDefinition resource(List<String> groups, long seed) {
            Random random = new Random(seed);
            int kind = random.nextInt(3);
            return switch (kind) {
                case 0 -> new NetworkResourceDefinition("lab", "", "10.9.0.0/24", NetworkResourceDefinition.SUBNET,
                        Cidr.parse("10.9.0.0/24"), null, random.nextInt(5) != 0, someOf(groups, random));
                case 1 -> new NetworkResourceDefinition("nas", "", "10.9.1.5", NetworkResourceDefinition.HOST,
                        Cidr.parse("10.9.1.5/32"), null, random.nextInt(5) != 0, someOf(groups, random));
                default -> new NetworkResourceDefinition("corp", "", "corp.example", NetworkResourceDefinition.DOMAIN,
                        null, "corp.example", random.nextInt(5) != 0, someOf(groups, random));
            };
        }

        /** A router through one peer or peer groups, sometimes disabled. */
        private static NetworkRouterDefinition router(List<String> peers, List<String> groups, long seed) {
            Random random = new Random(seed);
            boolean viaPeer = !peers.isEmpty() && random.nextBoolean();
            return new NetworkRouterDefinition(viaPeer ? peers.get(random.nextInt(peers.size())) : null,
                    viaPeer ? List.of() : someOf(groups, random), 1 + random.nextInt(3), random.nextBoolean(),
                    random.nextInt(5) != 0);
        }

        private static List<String> someOf(List<String> groups, Random random) {
            int count = 1 + random.nextInt(Math.min(2, groups.size()));
            List<String> picked = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                picked.add(groups.get(random.nextInt(groups.size())));
            }
            return picked.stream().distinct().toList();
        }
    }
}

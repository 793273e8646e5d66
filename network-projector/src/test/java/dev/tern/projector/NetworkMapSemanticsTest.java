package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountNetworkRangeChanged;
import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import dev.tern.events.GroupDeleted;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginExpiryLifted;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.PolicyUpdated;
import dev.tern.events.UserBlocked;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.projector.FirewallRule.Direction;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetworkMapSemanticsTest {
    private NetworkMapProjector projector;

    /** Peers a, b in dev; c in prod; d in no group but All. */
    @BeforeEach
    void account() {
        projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(group("dev"));
        projector.apply(group("prod"));
        projector.apply(peer("a", 1));
        projector.apply(peer("b", 2));
        projector.apply(peer("c", 3));
        projector.apply(peer("d", 4));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "a"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "b"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "prod", "c"));
    }

    private PeerNetworkMap map(String peerId) {
        return projector.currentMap(ACCOUNT, peerId).orElseThrow();
    }

    private List<String> seen(String peerId) {
        return projector.accessiblePeers(ACCOUNT, peerId).stream().map(RemotePeer::peerId).toList();
    }

    private List<String> online(String peerId) {
        return map(peerId).remotePeers().stream().map(RemotePeer::peerId).toList();
    }

    private List<String> offline(String peerId) {
        return map(peerId).offlinePeers().stream().map(RemotePeer::peerId).toList();
    }

    private List<PeerNetworkMap> expire(String peerId) {
        return projector.apply(new PeerLoginExpired(ACCOUNT, peerId, PeerExpiry.LOGIN, Instant.EPOCH));
    }

    private static String ipOf(int n) {
        return ip(n).address();
    }

    @Test
    void withoutPoliciesNobodySeesAnybodyButEachPeerHasItsOwnConfig() {
        PeerNetworkMap a = map("a");
        assertThat(a.remotePeers()).isEmpty();
        assertThat(a.firewallRules()).isEmpty();
        assertThat(a.peerConfig().address()).isEqualTo(ipOf(1) + "/16");
        assertThat(a.peerConfig().fqdn()).isEqualTo("label-a.tern.internal");
        assertThat(a.peerConfig().wgPubKey()).isEqualTo(key(1));
        assertThat(a.dnsRecords()).containsExactly(Map.entry("label-a.tern.internal", ipOf(1)));
    }

    @Test
    void bidirectionalPolicyConnectsGroupMembersBothWaysAndNeverTheMemberToItself() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));

        assertThat(seen("a")).containsExactly("b");
        assertThat(seen("b")).containsExactly("a");
        assertThat(seen("c")).isEmpty();
        assertThat(map("a").firewallRules()).containsExactlyInAnyOrder(
                new FirewallRule(ipOf(2), Direction.IN, RuleAction.ACCEPT, Protocol.ALL, null, "p1"),
                new FirewallRule(ipOf(2), Direction.OUT, RuleAction.ACCEPT, Protocol.ALL, null, "p1"));
        assertThat(map("a").remotePeers().get(0).allowedIp()).isEqualTo(ipOf(2) + "/32");
        assertThat(map("a").dnsRecords()).containsOnlyKeys("label-a.tern.internal", "label-b.tern.internal");
    }

    @Test
    void aMovedNetworkReaddressesEveryMapOwnAddressRemotePeersRulesAndNames() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        PeerNetworkMap before = map("a");
        List<PeerNetworkMap> changed = projector.apply(new AccountNetworkRangeChanged(ACCOUNT, NETWORK,
                Cidr.parse("10.7.0.0/24"), List.of(moved("a", "10.7.0.2"), moved("b", "10.7.0.1"),
                moved("c", "10.7.0.3"), moved("d", "10.7.0.4"))));

        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b", "c", "d");
        PeerNetworkMap a = map("a");
        assertThat(a.serial()).isGreaterThan(before.serial());
        assertThat(a.peerConfig().address()).isEqualTo("10.7.0.2/24");
        assertThat(a.remotePeers()).extracting(RemotePeer::allowedIp).containsExactly("10.7.0.1/32");
        assertThat(a.firewallRules()).containsExactlyInAnyOrder(
                new FirewallRule("10.7.0.1", Direction.IN, RuleAction.ACCEPT, Protocol.ALL, null, "p1"),
                new FirewallRule("10.7.0.1", Direction.OUT, RuleAction.ACCEPT, Protocol.ALL, null, "p1"));
        assertThat(a.dnsRecords()).containsOnly(Map.entry("label-a.tern.internal", "10.7.0.2"),
                Map.entry("label-b.tern.internal", "10.7.0.1"));
        assertThat(map("d").peerConfig().address()).isEqualTo("10.7.0.4/24");
        assertThat(seen("c")).isEmpty();
    }

    private static AccountNetworkRangeChanged.PeerAddress moved(String peerId, String ip) {
        return new AccountNetworkRangeChanged.PeerAddress(peerId, new MeshIp(ip));
    }

    @Test
    void oneWayRuleGivesSourcesOutRulesAndDestinationsInRulesWithThePorts() {
        PolicyRule ssh = rule("r1", RuleAction.ACCEPT, false, Protocol.TCP,
                List.of(PortRange.single(22), new PortRange(8000, 8100)), List.of("dev"), List.of("prod"));
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-to-prod", ssh)));

        // reachability is mutual (the source must have the destination as a WireGuard peer and vice versa) ...
        assertThat(seen("a")).containsExactly("c");
        assertThat(seen("c")).containsExactly("a", "b");
        // ... but the firewall lets traffic in only at the destination
        assertThat(map("a").firewallRules()).containsExactly(
                new FirewallRule(ipOf(3), Direction.OUT, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(22), "p1"),
                new FirewallRule(ipOf(3), Direction.OUT, RuleAction.ACCEPT, Protocol.TCP, new PortRange(8000, 8100), "p1"));
        assertThat(map("c").firewallRules()).containsExactly(
                new FirewallRule(ipOf(1), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(22), "p1"),
                new FirewallRule(ipOf(1), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, new PortRange(8000, 8100), "p1"),
                new FirewallRule(ipOf(2), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(22), "p1"),
                new FirewallRule(ipOf(2), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, new PortRange(8000, 8100), "p1"));
        assertThat(seen("d")).isEmpty();
    }

    @Test
    void portsWrittenOneByOneBecomeOneRulePerRangeAndPeer() {
        // every port from 1 to 65,535 singly, as history written before the account capped ports may hold it,
        // plus ranges overlapping and touching them: one range, one rule per remote peer
        List<PortRange> everyPort = new java.util.ArrayList<>();
        for (int port = 65_535; port >= 1; port--) {
            everyPort.add(PortRange.single(port));
        }
        PolicyRule written = new PolicyRule("r1", "rule-r1", "", true, RuleAction.ACCEPT, false, Protocol.TCP,
                everyPort, List.of(new PortRange(1, 100), new PortRange(100, 200)), List.of("dev"), List.of("prod"));
        PolicyRule adjacent = rule("r2", RuleAction.ACCEPT, false, Protocol.UDP,
                List.of(PortRange.single(53), PortRange.single(54), PortRange.single(53), PortRange.single(60)),
                List.of("dev"), List.of("prod"));
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("everything", written, adjacent)));

        assertThat(map("c").firewallRules()).containsExactly(
                new FirewallRule(ipOf(1), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, new PortRange(1, 65_535), "p1"),
                new FirewallRule(ipOf(1), Direction.IN, RuleAction.ACCEPT, Protocol.UDP, new PortRange(53, 54), "p1"),
                new FirewallRule(ipOf(1), Direction.IN, RuleAction.ACCEPT, Protocol.UDP, PortRange.single(60), "p1"),
                new FirewallRule(ipOf(2), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, new PortRange(1, 65_535), "p1"),
                new FirewallRule(ipOf(2), Direction.IN, RuleAction.ACCEPT, Protocol.UDP, new PortRange(53, 54), "p1"),
                new FirewallRule(ipOf(2), Direction.IN, RuleAction.ACCEPT, Protocol.UDP, PortRange.single(60), "p1"));
        assertThat(map("a").firewallRules()).hasSize(3);
    }

    @Test
    void aPortRuleBesideAnAllPortsRuleOfTheSamePolicyIsLeftOut() {
        PolicyRule everyTcpPort = rule("r1", RuleAction.ACCEPT, false, Protocol.TCP, List.of(), List.of("prod"),
                List.of("dev"));
        PolicyRule ssh = rule("r2", RuleAction.ACCEPT, false, Protocol.TCP, List.of(PortRange.single(22)),
                List.of("prod"), List.of("dev"));
        PolicyRule dns = rule("r3", RuleAction.ACCEPT, false, Protocol.UDP, List.of(PortRange.single(53)),
                List.of("prod"), List.of("dev"));
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("prod-to-dev", everyTcpPort, ssh, dns)));
        // another policy's port rule is its own (NetBird tags rules with their policy)
        projector.apply(new PolicyCreated(ACCOUNT, "p2", policy("ssh", rule("r1", RuleAction.ACCEPT, false,
                Protocol.TCP, List.of(PortRange.single(22)), List.of("prod"), List.of("dev")))));

        assertThat(map("a").firewallRules()).containsExactly(
                new FirewallRule(ipOf(3), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, null, "p1"),
                new FirewallRule(ipOf(3), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(22), "p2"),
                new FirewallRule(ipOf(3), Direction.IN, RuleAction.ACCEPT, Protocol.UDP, PortRange.single(53), "p1"));
    }

    @Test
    void bidirectionalRuleAddsTheMirrorRules() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-prod",
                rule("r1", RuleAction.ACCEPT, true, Protocol.UDP, List.of(PortRange.single(53)), List.of("dev"), List.of("prod")))));

        assertThat(map("c").firewallRules()).extracting(FirewallRule::peerIp, FirewallRule::direction)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(ipOf(1), Direction.IN),
                        org.assertj.core.groups.Tuple.tuple(ipOf(1), Direction.OUT),
                        org.assertj.core.groups.Tuple.tuple(ipOf(2), Direction.IN),
                        org.assertj.core.groups.Tuple.tuple(ipOf(2), Direction.OUT));
        assertThat(map("a").firewallRules()).extracting(FirewallRule::direction)
                .containsExactly(Direction.IN, Direction.OUT);
    }

    @Test
    void dropRuleCreatesNoConnectivityOnlyDropRules() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("deny",
                rule("r1", RuleAction.DROP, false, Protocol.ALL, List.of(), List.of("dev"), List.of("prod")))));

        assertThat(seen("a")).isEmpty();
        assertThat(seen("c")).isEmpty();
        assertThat(map("c").firewallRules()).extracting(FirewallRule::action).containsOnly(RuleAction.DROP).hasSize(2);
        assertThat(map("c").dnsRecords()).containsOnlyKeys("label-c.tern.internal");
    }

    @Test
    void disabledPolicyAndDisabledRuleCountForNothing() {
        PolicyRule enabledRule = accept("r1", true, List.of("dev"), List.of("prod"));
        PolicyRule disabledRule = new PolicyRule("r2", "off", "", false, RuleAction.ACCEPT, true, Protocol.ALL,
                List.of(), List.of(), List.of("dev"), List.of("dev"));
        projector.apply(new PolicyCreated(ACCOUNT, "p1",
                new PolicyDefinition("off", "", false, List.of(enabledRule), List.of())));
        projector.apply(new PolicyCreated(ACCOUNT, "p2", policy("half", disabledRule)));

        assertThat(seen("a")).isEmpty();
        assertThat(seen("c")).isEmpty();

        List<PeerNetworkMap> changed = projector.apply(new PolicyUpdated(ACCOUNT, "p1", policy("on", enabledRule)));
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(seen("a")).containsExactly("c");
    }

    @Test
    void allGroupHoldsEveryPeerIncludingOnesRegisteredLater() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("all", accept("r1", true, List.of(ALL), List.of(ALL)))));
        assertThat(seen("d")).containsExactly("a", "b", "c");
        // towards the All group NetBird sends one rule for any peer (0.0.0.0), not one per peer
        assertThat(map("d").firewallRules()).containsExactly(
                new FirewallRule("0.0.0.0", Direction.IN, RuleAction.ACCEPT, Protocol.ALL, null, "p1"),
                new FirewallRule("0.0.0.0", Direction.OUT, RuleAction.ACCEPT, Protocol.ALL, null, "p1"));

        projector.apply(peer("e", 5));
        assertThat(seen("a")).containsExactly("b", "c", "d", "e");
        assertThat(seen("e")).containsExactly("a", "b", "c", "d");
    }

    @Test
    void oneWayRuleFromAGroupToAllGivesDestinationsOneRuleForTheSourceOnlyAndSourcesOneForAnyPeer() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-to-all",
                rule("r1", RuleAction.ACCEPT, false, Protocol.TCP, List.of(PortRange.single(443)), List.of("dev"), List.of(ALL)))));
        assertThat(map("a").firewallRules()).containsExactlyInAnyOrder(
                new FirewallRule("0.0.0.0", Direction.OUT, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(443), "p1"),
                new FirewallRule(ipOf(2), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(443), "p1"));
        assertThat(map("d").firewallRules()).containsExactly(
                new FirewallRule(ipOf(1), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(443), "p1"),
                new FirewallRule(ipOf(2), Direction.IN, RuleAction.ACCEPT, Protocol.TCP, PortRange.single(443), "p1"));
        assertThat(seen("d")).containsExactly("a", "b");
    }

    @Test
    void aLonePeerInAnAllPolicyHasNoRules() {
        NetworkMapProjector lone = new NetworkMapProjector();
        lone.apply(accountCreated());
        lone.apply(allGroup());
        lone.apply(new PolicyCreated(ACCOUNT, "p1", policy("all", accept("r1", true, List.of(ALL), List.of(ALL)))));
        lone.apply(peer("a", 1));
        assertThat(lone.currentMap(ACCOUNT, "a").orElseThrow().firewallRules()).isEmpty();
        List<PeerNetworkMap> changed = lone.apply(peer("b", 2));
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b");
        assertThat(lone.currentMap(ACCOUNT, "a").orElseThrow().firewallRules()).hasSize(2);
    }

    @Test
    void aNewPeerOutsideEveryPolicyChangesNoOtherMap() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        List<PeerNetworkMap> changed = projector.apply(peer("e", 5));
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactly("e");
    }

    @Test
    void membershipChangeRepublishesOnlyTheMapsItChanges() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        projector.apply(new PolicyCreated(ACCOUNT, "p2", policy("prod-prod", accept("r2", true, List.of("prod"), List.of("prod")))));
        long cSerial = map("c").serial();

        List<PeerNetworkMap> changed = projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "d"));
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b", "d");
        assertThat(seen("a")).containsExactly("b", "d");
        assertThat(map("c").serial()).isEqualTo(cSerial);

        changed = projector.apply(new PeerRemovedFromGroup(ACCOUNT, "dev", "a"));
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b", "d");
        assertThat(seen("a")).isEmpty();
        assertThat(seen("b")).containsExactly("d");
    }

    @Test
    void eventsNoMapShowsPublishNothing() {
        long serial = map("a").serial();
        assertThat(projector.apply(new UserBlocked(ACCOUNT, "user1"))).isEmpty();
        assertThat(projector.apply(new PeerAddedToGroup(ACCOUNT, "prod", "d"))).isEmpty();
        assertThat(map("a").serial()).isEqualTo(serial);
    }

    @Test
    void deletingAPeerRemovesItFromEveryMapAndEndsItsSubscriptions() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        NetworkMapHub.Subscription bSubscription = projector.subscribe(ACCOUNT, "b");

        List<PeerNetworkMap> changed = projector.apply(new PeerDeleted(ACCOUNT, "b", key(2)));

        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactly("a");
        assertThat(seen("a")).isEmpty();
        assertThat(map("a").firewallRules()).isEmpty();
        assertThat(projector.currentMap(ACCOUNT, "b")).isEmpty();
        assertThat(projector.findPeer(key(2))).isEmpty();
        assertThat(projector.findPeer(key(1))).contains(new NetworkMapProjector.PeerRef(ACCOUNT, "a"));
        assertThat(bSubscription.isClosed()).isTrue();
        assertThat(bSubscription.isPeerRemoved()).isTrue();
    }

    @Test
    void deletingAPolicyAndThenItsGroupDisconnects() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-prod", accept("r1", true, List.of("dev"), List.of("prod")))));
        assertThat(seen("c")).containsExactly("a", "b");

        projector.apply(new PolicyDeleted(ACCOUNT, "p1", "dev-prod"));
        assertThat(seen("c")).isEmpty();
        assertThat(seen("a")).isEmpty();

        projector.apply(new PolicyCreated(ACCOUNT, "p2", policy("dev-dev", accept("r2", true, List.of("dev"), List.of("dev")))));
        assertThat(seen("a")).containsExactly("b");
        // the command side refuses to delete a group a policy uses; the projector still treats it as empty
        projector.apply(new GroupDeleted(ACCOUNT, "dev", "name-dev"));
        assertThat(seen("a")).isEmpty();
        assertThat(seen("b")).isEmpty();
    }

    @Test
    void renameChangesTheDnsRecordsOfEveryPeerThatSeesIt() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        long before = map("a").serial();

        List<PeerNetworkMap> changed = projector.apply(new PeerRenamed(ACCOUNT, "b", "name-b", "berta", "berta"));

        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b");
        assertThat(map("a").dnsRecords()).containsEntry("berta.tern.internal", ipOf(2))
                .doesNotContainKey("label-b.tern.internal");
        assertThat(map("a").remotePeers().get(0).name()).isEqualTo("berta");
        assertThat(map("b").peerConfig().fqdn()).isEqualTo("berta.tern.internal");
        assertThat(map("a").serial()).isGreaterThan(before);
        assertThat(map("c").dnsRecords()).doesNotContainKey("berta.tern.internal");
    }

    @Test
    void sshFlagReachesThePeerAndItsViewers() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        projector.apply(new PeerSshChanged(ACCOUNT, "b", true));
        assertThat(map("b").peerConfig().sshEnabled()).isTrue();
        assertThat(map("a").remotePeers().get(0).sshEnabled()).isTrue();
    }

    @Test
    void subscriptionStartsWithTheCurrentMapThenGetsChanges() throws Exception {
        NetworkMapHub.Subscription subscription = projector.subscribe(ACCOUNT, "a");
        assertThat(subscription.poll()).contains(map("a"));
        assertThat(subscription.poll()).isEmpty();

        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        PeerNetworkMap pushed = subscription.await(java.time.Duration.ofSeconds(5)).orElseThrow();
        assertThat(pushed).isEqualTo(map("a"));
        assertThat(pushed.canSee("b")).isTrue();
    }

    // ------------------------------------------------------------------ login expiration

    @Test
    void anExpiredPeerMovesToTheOfflinePeersOfOthersAndKeepsItsFirewallRules() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        List<FirewallRule> rulesBefore = map("a").firewallRules();

        List<PeerNetworkMap> changed = expire("b");

        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b");
        assertThat(online("a")).isEmpty();
        assertThat(offline("a")).containsExactly("b");
        assertThat(map("a").canSee("b")).isFalse();
        assertThat(map("a").firewallRules()).isEqualTo(rulesBefore).isNotEmpty();
        // the name still resolves, as NetBird serves records of expired peers too
        assertThat(map("a").dnsRecords()).containsEntry("label-b.tern.internal", ipOf(2));
        assertThat(map("a").loginExpired()).isFalse();
        // NetBird's accessible peers are both lists
        assertThat(seen("a")).containsExactly("b");
    }

    @Test
    void anExpiredPeersOwnMapSaysSoAndStillListsWhomItMaySee() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        expire("b");

        PeerNetworkMap b = map("b");
        assertThat(b.loginExpired()).isTrue();
        assertThat(online("b")).containsExactly("a");
        assertThat(b.offlinePeers()).isEmpty();
        assertThat(b.firewallRules()).extracting(FirewallRule::peerIp).containsOnly(ipOf(1));
    }

    @Test
    void renewalOrALiftedExpiryBringsThePeerBack() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        PeerNetworkMap aBefore = map("a");
        PeerNetworkMap bBefore = map("b");
        expire("b");

        List<PeerNetworkMap> changed = projector.apply(new PeerLoginRenewed(ACCOUNT, "b", "key1", Instant.EPOCH));
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b");
        assertThat(map("a").sameContentAs(aBefore)).isTrue();
        assertThat(map("b").sameContentAs(bBefore)).isTrue();
        assertThat(online("a")).containsExactly("b");
        assertThat(map("b").loginExpired()).isFalse();

        expire("b");
        changed = projector.apply(new PeerLoginExpiryLifted(ACCOUNT, "b"));
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b");
        assertThat(map("a").sameContentAs(aBefore)).isTrue();
        assertThat(map("b").sameContentAs(bBefore)).isTrue();

        // renewing or lifting a peer that is not expired (the account never does) changes no map
        assertThat(projector.apply(new PeerLoginRenewed(ACCOUNT, "b", "key1", Instant.EPOCH))).isEmpty();
        assertThat(projector.apply(new PeerLoginExpiryLifted(ACCOUNT, "b"))).isEmpty();
    }

    @Test
    void theExpiryOfAPeerNobodySeesChangesOnlyItsOwnMap() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));

        List<PeerNetworkMap> changed = expire("d");

        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactly("d");
        assertThat(map("d").loginExpired()).isTrue();
        assertThat(map("d").remotePeers()).isEmpty();
        assertThat(map("d").offlinePeers()).isEmpty();
    }

    @Test
    void accountSettingsChangeNoMap() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("all", accept("r1", true, List.of(ALL), List.of(ALL)))));
        expire("b");
        AccountSettings before = AccountSettings.defaults();
        AccountSettings after = new AccountSettings(false, 3600, true, 600);

        assertThat(projector.apply(new AccountSettingsUpdated(ACCOUNT, before, after))).isEmpty();
        assertThat(map("b").loginExpired()).as("only PeerLoginExpiryLifted lifts an expiry").isTrue();
    }

    @Test
    void allGroupMapsSplitEveryoneIntoOnlineAndExpiredPeers() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("all", accept("r1", true, List.of(ALL), List.of(ALL)))));
        List<FirewallRule> anyPeerRules = map("a").firewallRules();

        List<PeerNetworkMap> changed = expire("b");
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(online("a")).containsExactly("c", "d");
        assertThat(offline("a")).containsExactly("b");
        // the expired peer is in no list of its own map, and leaves out nobody else
        assertThat(online("b")).containsExactly("a", "c", "d");
        assertThat(offline("b")).isEmpty();
        assertThat(map("b").loginExpired()).isTrue();

        expire("d");
        assertThat(online("a")).containsExactly("c");
        assertThat(offline("a")).containsExactly("b", "d");
        assertThat(online("b")).containsExactly("a", "c");
        assertThat(offline("b")).containsExactly("d");
        assertThat(online("d")).containsExactly("a", "c");
        assertThat(offline("d")).containsExactly("b");
        assertThat(seen("a")).containsExactly("b", "c", "d");
        assertThat(map("a").firewallRules()).isEqualTo(anyPeerRules);
        assertThat(map("a").dnsRecords()).containsOnlyKeys("label-a.tern.internal", "label-b.tern.internal",
                "label-c.tern.internal", "label-d.tern.internal");

        // a peer registered now is online in everyone's map, and the shared lists still leave out the right peer
        projector.apply(peer("e", 5));
        assertThat(online("a")).containsExactly("c", "e");
        assertThat(online("e")).containsExactly("a", "c");
        assertThat(offline("e")).containsExactly("b", "d");
        assertThat(online("b")).containsExactly("a", "c", "e");

        projector.apply(new PeerLoginExpiryLifted(ACCOUNT, "b"));
        assertThat(online("a")).containsExactly("b", "c", "e");
        assertThat(offline("a")).containsExactly("d");
        assertThat(online("b")).containsExactly("a", "c", "e");
        assertThat(offline("b")).containsExactly("d");
        assertThat(map("b").loginExpired()).isFalse();
    }

    @Test
    void everyoneExpiredLeavesOnlyOfflinePeers() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("all", accept("r1", true, List.of(ALL), List.of(ALL)))));
        for (String peerId : List.of("a", "b", "c", "d")) {
            expire(peerId);
        }
        assertThat(online("a")).isEmpty();
        assertThat(offline("a")).containsExactly("b", "c", "d");
        assertThat(offline("d")).containsExactly("a", "b", "c");
        assertThat(map("d").remotePeers()).isEmpty();
    }

    @Test
    void aGroupRuleNextToAnAllRuleSplitsTheSameWay() {
        projector.apply(new PolicyCreated(ACCOUNT, "p1", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))));
        projector.apply(new PolicyCreated(ACCOUNT, "p2", policy("prod-to-all",
                accept("r2", false, List.of("prod"), List.of(ALL)))));
        expire("b");
        expire("c");

        assertThat(online("a")).isEmpty();
        assertThat(offline("a")).containsExactly("b", "c");
        assertThat(online("c")).containsExactly("a", "d");
        assertThat(offline("c")).containsExactly("b");
        assertThat(online("d")).isEmpty();
        assertThat(offline("d")).containsExactly("c");
    }
}

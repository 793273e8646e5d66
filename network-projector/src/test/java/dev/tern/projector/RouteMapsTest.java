package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.RouteCreated;
import dev.tern.events.RouteDeleted;
import dev.tern.events.RouteUpdated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RouteDefinition;
import dev.tern.events.values.RuleAction;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Routes in maps, scenario by scenario: the site 10.10.10.0/24 behind routing peer r for the dev group (a and b);
 * c is in prod. A dev-to-routers policy lets the dev peers reach r.
 */
class RouteMapsTest {
    private NetworkMapProjector projector;

    @BeforeEach
    void account() {
        projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(group("dev"));
        projector.apply(group("prod"));
        projector.apply(group("routers"));
        projector.apply(peer("r", 1));
        projector.apply(peer("a", 2));
        projector.apply(peer("b", 3));
        projector.apply(peer("c", 4));
        projector.apply(peer("r2", 5));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "routers", "r"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "a"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "b"));
        projector.apply(new PeerAddedToGroup(ACCOUNT, "prod", "c"));
        projector.apply(new PolicyCreated(ACCOUNT, "dev-routers", policy("dev-routers",
                accept("r1", false, List.of("dev"), List.of("routers")))));
    }

    private PeerNetworkMap map(String peerId) {
        return projector.currentMap(ACCOUNT, peerId).orElseThrow();
    }

    private static RouteDefinition site(String peer, List<String> peerGroups, List<String> accessControlGroups) {
        return new RouteDefinition("lab", "lab", true, peer, peerGroups, Cidr.parse("10.10.10.0/24"), List.of(), 100,
                true, List.of("dev"), false, accessControlGroups, false);
    }

    @Test
    void aDistributedPeerThatReachesTheRoutingPeerGetsTheRouteWithTheRoutersKey() {
        List<PeerNetworkMap> changed = projector.apply(new RouteCreated(ACCOUNT, "site", site("r", List.of(), List.of())));

        PeerRoute expected = new PeerRoute("site", "lab", "10.10.10.0/24", RouteDefinition.NETWORK_TYPE_IPV4,
                List.of(), key(1), 100, true, false, false);
        assertThat(map("a").routes()).containsExactly(expected);
        assertThat(map("b").routes()).containsExactly(expected);
        // the routing peer gets its own route too (NetBird's client serves a route whose peer is its own key)
        assertThat(map("r").routes()).containsExactly(expected);
        // c is not in a distribution group, r2 reaches nobody
        assertThat(map("c").routes()).isEmpty();
        assertThat(map("r2").routes()).isEmpty();
        assertThat(changed).extracting(PeerNetworkMap::peerId).containsExactlyInAnyOrder("r", "a", "b");
        // the routing peer sees the peers it serves through the policy that lets them reach it
        assertThat(map("r").remotePeers()).extracting(RemotePeer::peerId).containsExactly("a", "b");
    }

    @Test
    void withoutAPolicyTowardsTheRoutingPeerThereIsNoRoute() {
        projector.apply(new RouteCreated(ACCOUNT, "site", site("r", List.of(), List.of())));
        projector.apply(new PolicyDeleted(ACCOUNT, "dev-routers", "dev-routers"));
        assertThat(map("a").routes()).isEmpty();
        assertThat(map("r").routes()).hasSize(1);
        assertThat(map("r").remotePeers()).isEmpty();
    }

    @Test
    void aRouteWithoutAccessControlGroupsLetsEveryoneThroughTheRoutingPeer() {
        projector.apply(new RouteCreated(ACCOUNT, "site", site("r", List.of(), List.of())));
        assertThat(map("r").routeFirewallRules()).containsExactly(new RouteFirewallRule("site", "",
                List.of("0.0.0.0/0"), RuleAction.ACCEPT, "10.10.10.0/24", Protocol.ALL, null, false, List.of()));
        assertThat(map("a").routeFirewallRules()).isEmpty();
    }

    @Test
    void accessControlGroupsLetThroughOnlyWhatPoliciesTowardsThemAllow() {
        projector.apply(new RouteCreated(ACCOUNT, "site", site("r", List.of(), List.of("prod"))));
        // nothing is allowed towards prod yet: no rule, so the routing peer forwards nothing
        assertThat(map("r").routeFirewallRules()).isEmpty();

        List<PeerNetworkMap> changed = projector.apply(new PolicyCreated(ACCOUNT, "ssh-to-site", policy("ssh",
                rule("s", RuleAction.ACCEPT, false, Protocol.TCP, List.of(PortRange.single(22)), List.of("dev"),
                        List.of("prod")))));
        assertThat(changed).extracting(PeerNetworkMap::peerId).contains("r");
        assertThat(map("r").routeFirewallRules()).containsExactly(new RouteFirewallRule("site", "ssh-to-site",
                List.of(ip(2).address() + "/32", ip(3).address() + "/32"), RuleAction.ACCEPT, "10.10.10.0/24",
                Protocol.TCP, PortRange.single(22), false, List.of()));

        // a new dev peer is a new source of the routing peer's rule
        projector.apply(peer("e", 6));
        changed = projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", "e"));
        assertThat(changed).extracting(PeerNetworkMap::peerId).contains("r");
        assertThat(map("r").routeFirewallRules().get(0).sourceRanges()).contains(ip(6).address() + "/32");
    }

    @Test
    void aRouteThroughAPeerGroupIsOneRoutePerRoutingPeerAndHighAvailabilityPeersDoNotUseEachOther() {
        projector.apply(new PeerAddedToGroup(ACCOUNT, "routers", "r2"));
        projector.apply(new RouteCreated(ACCOUNT, "site", site(null, List.of("routers"), List.of())));
        assertThat(map("a").routes()).extracting(PeerRoute::id, PeerRoute::routingPeer)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("site:r", key(1)),
                        org.assertj.core.groups.Tuple.tuple("site:r2", key(5)));
        assertThat(map("r").routes()).extracting(PeerRoute::id).containsExactly("site:r");
        assertThat(map("r2").routes()).extracting(PeerRoute::id).containsExactly("site:r2");
    }

    @Test
    void anExpiredRoutingPeerTakesItsRoutesAlongAndADeletedRouteLeavesEveryMap() {
        projector.apply(new RouteCreated(ACCOUNT, "site", site("r", List.of(), List.of())));
        projector.apply(new PeerLoginExpired(ACCOUNT, "r", PeerExpiry.LOGIN, Instant.EPOCH));
        assertThat(map("a").routes()).isEmpty();

        projector.apply(new RouteCreated(ACCOUNT, "corp", new RouteDefinition("", "corp", true, "a", List.of(), null,
                List.of("corp.example"), 5, false, List.of("dev"), true, List.of(), false)));
        assertThat(map("a").routes()).extracting(PeerRoute::network, PeerRoute::networkType, PeerRoute::domains)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("192.0.2.0/32",
                        RouteDefinition.NETWORK_TYPE_DOMAIN, List.of("corp.example")));
        projector.apply(new RouteUpdated(ACCOUNT, "corp", new RouteDefinition("", "corp", false, "a", List.of(), null,
                List.of("corp.example"), 5, false, List.of("dev"), true, List.of(), false)));
        assertThat(map("a").routes()).isEmpty();
        projector.apply(new RouteDeleted(ACCOUNT, "site", "lab"));
        assertThat(map("r").routes()).isEmpty();
        assertThat(map("r").routeFirewallRules()).isEmpty();
    }
}

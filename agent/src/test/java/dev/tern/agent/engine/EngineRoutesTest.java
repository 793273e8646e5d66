package dev.tern.agent.engine;

import dev.tern.agent.TestKeys;
import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.agent.dataplane.ForwardRuleSpec;
import dev.tern.agent.dataplane.RoutedTraffic;
import dev.tern.agent.relay.RecordingRelay;
import dev.tern.agent.routing.MapRoutes;
import dev.tern.agent.routing.RouteSpec;
import dev.tern.agent.routing.Routing;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.relay.PeerId;
import dev.tern.testsupport.time.SettableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine hands each map's routes to routing: allowed IPs of the chosen peer, failover on a stale handshake or
 * when the relay reports the routing peer gone.
 */
class EngineRoutesTest {
    private final String ownKey = TestKeys.publicKey();
    private final String keyR1 = TestKeys.publicKey();
    private final String keyR2 = TestKeys.publicKey();
    private final FakeDataPlane plane = new FakeDataPlane();
    private final SettableClock clock =
            new SettableClock(Instant.parse("2026-01-01T12:00:00Z"));
    private final List<Set<String>> kernelRoutes = new ArrayList<>();
    private final List<Collection<String>> keptOutside = new ArrayList<>();
    private final Engine engine = new Engine(plane, 51820, List::of, (remote, body) -> true, clock);

    EngineRoutesTest() {
        engine.useRouting(new Routing(ownKey, new Routing.Host() {
            @Override
            public void routes(Set<String> networks, Collection<String> keepOutside) {
                kernelRoutes.add(Set.copyOf(networks));
                keptOutside.add(List.copyOf(keepOutside));
            }

            @Override
            public void forwarding(boolean on) {
            }

            @Override
            public void close() {
                kernelRoutes.add(Set.of());
            }
        }), () -> List.of("198.51.100.7"));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private MeshMap map(long serial, MapRoutes routes, String... peerKeys) {
        List<MeshMap.RemotePeer> peers = new ArrayList<>();
        for (int i = 0; i < peerKeys.length; i++) {
            peers.add(new MeshMap.RemotePeer(peerKeys[i], List.of("100.64.0." + (i + 2) + "/32"), "r" + (i + 1) + ".t"));
        }
        return new MeshMap(serial, "100.64.0.1/16", "a.t", peers, List.of(), List.of(), DNSConfig.getDefaultInstance(),
                routes);
    }

    private RouteSpec site(String key, long metric) {
        return new RouteSpec("site-" + metric, "site", "10.10.10.0/24", key, metric, true);
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    @Test
    void theNetworkGoesToTheChosenPeersAllowedIpsOnlyAndMovesWhenItsHandshakeGoesStale() {
        plane.handshakes.put(keyR1, now());
        plane.handshakes.put(keyR2, now());
        engine.applyMap(map(1, new MapRoutes(List.of(site(keyR1, 10), site(keyR2, 20)), List.of()), keyR1, keyR2));

        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactlyInAnyOrder("100.64.0.2/32", "10.10.10.0/24");
        assertThat(plane.peers.get(keyR2).allowedIps()).containsExactly("100.64.0.3/32");
        assertThat(kernelRoutes).last().isEqualTo(Set.of("10.10.10.0/24"));
        assertThat(keptOutside).last().asList().contains("198.51.100.7");

        // R2 keeps handshaking, R1 goes silent past WireGuard's session lifetime
        clock.advance(Duration.ofSeconds(170));
        plane.handshakes.put(keyR2, now());
        engine.offerStale();
        assertThat(plane.peers.get(keyR1).allowedIps()).as("within 180 s R1 still counts as connected")
                .contains("10.10.10.0/24");
        clock.advance(Duration.ofSeconds(20));
        engine.offerStale();
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(plane.peers.get(keyR2).allowedIps()).containsExactlyInAnyOrder("100.64.0.3/32", "10.10.10.0/24");
        assertThat(engine.routeStatus()).containsExactly(
                new StatusReport.Route("10.10.10.0/24", "site", "r2", keyR2, Routing.ACTIVE));
    }

    @Test
    void aRoutingPeerTheRelayReportsGoneIsGivenUpAtOnceUntilItIsBack() {
        RecordingRelay relay = new RecordingRelay();
        Engine withRelay = new Engine(plane, 51820, List::of, (remote, body) -> true, relay, clock);
        withRelay.useRouting(new Routing(ownKey, Routing.Host.NONE), List::of);
        String keyOther = TestKeys.publicKey();
        plane.handshakes.put(keyR1, now());
        plane.handshakes.put(keyR2, now());
        withRelay.applyMap(map(1, new MapRoutes(List.of(site(keyR1, 10), site(keyR2, 20)), List.of()),
                keyR1, keyR2, keyOther));
        assertThat(relay.watched).as("the routing peers, not every peer")
                .containsExactlyInAnyOrder(PeerId.ofPublicKey(keyR1), PeerId.ofPublicKey(keyR2));
        assertThat(plane.peers.get(keyR1).allowedIps()).contains("10.10.10.0/24");

        // R1's agent stops: its handshake is seconds old, but the relay saw its connection end
        clock.advance(Duration.ofSeconds(5));
        withRelay.onRelayPeersWentOffline(List.of(PeerId.ofPublicKey(keyR1)));
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(plane.peers.get(keyR2).allowedIps()).containsExactlyInAnyOrder("100.64.0.3/32", "10.10.10.0/24");
        clock.advance(Duration.ofSeconds(30));
        withRelay.offerStale();
        assertThat(plane.peers.get(keyR2).allowedIps()).as("the next ticks keep R1 given up")
                .contains("10.10.10.0/24");

        // back on the relay: its lower metric wins again
        withRelay.onRelayPeersOnline(List.of(PeerId.ofPublicKey(keyR1)));
        assertThat(plane.peers.get(keyR1).allowedIps()).contains("10.10.10.0/24");
        assertThat(plane.peers.get(keyR2).allowedIps()).containsExactly("100.64.0.3/32");

        // gone from the relay but handshaking after that (its tunnel works without the relay): connected
        withRelay.onRelayPeersWentOffline(List.of(PeerId.ofPublicKey(keyR1)));
        assertThat(plane.peers.get(keyR2).allowedIps()).contains("10.10.10.0/24");
        clock.advance(Duration.ofSeconds(2));
        plane.handshakes.put(keyR1, now());
        plane.handshakes.put(keyR2, now());
        withRelay.offerStale();
        assertThat(plane.peers.get(keyR1).allowedIps()).contains("10.10.10.0/24");

        // a peer that serves no route is not followed, whatever the relay says of it
        withRelay.onRelayPeersWentOffline(List.of(PeerId.ofPublicKey(keyOther)));
        assertThat(plane.peers.get(keyR1).allowedIps()).contains("10.10.10.0/24");
        withRelay.applyMap(map(2, MapRoutes.NONE, keyR1, keyR2, keyOther));
        assertThat(relay.watched).isEmpty();
        withRelay.close();
    }

    @Test
    void aRoutingPeerThatLeavesTheMapTakesItsRouteAlong() {
        engine.applyMap(map(1, new MapRoutes(List.of(site(keyR1, 10)), List.of()), keyR1, keyR2));
        assertThat(plane.peers.get(keyR1).allowedIps()).contains("10.10.10.0/24");

        engine.applyMap(map(2, MapRoutes.NONE, keyR1, keyR2));
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(kernelRoutes).last().isEqualTo(Set.of());
        assertThat(engine.routeStatus()).isEmpty();
    }

    @Test
    void ourOwnRoutesReachTheFirewallAsRoutedTraffic() {
        ForwardRuleSpec rule = new ForwardRuleSpec(List.of("100.64.0.2/32"), "10.10.10.0/24",
                FirewallRuleSpec.Protocol.ALL, 0, 0, true);
        engine.applyMap(map(1, new MapRoutes(List.of(site(ownKey, 10)), List.of(rule)), keyR1));

        assertThat(plane.routedTraffic).last().isEqualTo(new RoutedTraffic(List.of(rule), List.of("10.10.10.0/24")));
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(engine.routeStatus()).extracting(StatusReport.Route::state).containsExactly(Routing.SERVING);
    }

    @Test
    void aCandidateInsideARoutedNetworkIsNeverAPeersEndpoint() {
        engine.applyMap(map(1, new MapRoutes(List.of(site(keyR1, 10)), List.of()), keyR1, keyR2));

        engine.onSignal(keyR2, dev.tern.protocol.signal.Body.newBuilder()
                .setType(dev.tern.protocol.signal.Body.Type.CANDIDATE)
                .setPayload(Candidates.format(0, "10.10.10.2", 51820)).build());
        assertThat(plane.endpointOf(keyR2)).as("10.10.10.2 is routed through R1's tunnel").isNull();

        engine.onSignal(keyR2, dev.tern.protocol.signal.Body.newBuilder()
                .setType(dev.tern.protocol.signal.Body.Type.CANDIDATE)
                .setPayload(Candidates.format(1, "192.0.2.12", 51820)).build());
        assertThat(plane.endpointOf(keyR2)).isEqualTo("192.0.2.12:51820");
    }

    // --- domain routes, skipAutoApply

    /** What the engine hands the resolver, and the listener it gets the answers back through. */
    private static final class RecordingDns implements dev.tern.agent.dns.MeshDns {
        final List<List<dev.tern.agent.dns.DomainRoute>> handed = new ArrayList<>();
        dev.tern.agent.dns.DomainRoute.Listener listener;

        @Override
        public void apply(String meshAddress, DNSConfig config) {
        }

        @Override
        public void routeDomains(List<dev.tern.agent.dns.DomainRoute> routes,
                                 dev.tern.agent.dns.DomainRoute.Listener listener) {
            handed.add(List.copyOf(routes));
            this.listener = listener;
        }
    }

    private RouteSpec web(String key, long metric) {
        return new RouteSpec("web-" + metric, "web", "192.0.2.0/32", key, metric, true, List.of("app.site.test"),
                false, false);
    }

    @Test
    void aDomainRoutesAnswersBecomeAllowedIpsAndRoutesOfTheChosenPeerAndFollowItsFailover() throws Exception {
        RecordingDns dns = new RecordingDns();
        engine.useDns(dns);
        plane.handshakes.put(keyR1, now());
        plane.handshakes.put(keyR2, now());
        engine.applyMap(map(1, new MapRoutes(List.of(web(keyR1, 10), web(keyR2, 20)), List.of()), keyR1, keyR2));

        String group = web(keyR1, 10).group();
        assertThat(dns.handed).last().isEqualTo(List.of(new dev.tern.agent.dns.DomainRoute(group,
                List.of("app.site.test"), new java.net.InetSocketAddress(
                        java.net.InetAddress.getByName("100.64.0.2"), dev.tern.agent.dns.DnsForwarding.DEFAULT_PORT))));
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactly("100.64.0.2/32");

        dns.listener.resolved(group, "app.site.test", List.of("10.10.10.5"));
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactlyInAnyOrder("100.64.0.2/32", "10.10.10.5/32");
        assertThat(kernelRoutes).last().isEqualTo(Set.of("10.10.10.5/32"));
        assertThat(engine.routeStatus()).containsExactly(new StatusReport.Route("app.site.test", "web", "r1", keyR1,
                Routing.ACTIVE, List.of("10.10.10.5")));

        // R1 goes silent: the address and the forwarder move to R2
        clock.advance(Duration.ofSeconds(200));
        plane.handshakes.put(keyR2, now());
        engine.offerStale();
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(plane.peers.get(keyR2).allowedIps()).containsExactlyInAnyOrder("100.64.0.3/32", "10.10.10.5/32");
        assertThat(dns.handed).last().extracting(routes -> routes.get(0).forwarder().getAddress().getHostAddress())
                .isEqualTo("100.64.0.3");

        // the route goes: its addresses go, and the resolver intercepts nothing
        engine.applyMap(map(2, MapRoutes.NONE, keyR1, keyR2));
        assertThat(plane.peers.get(keyR2).allowedIps()).containsExactly("100.64.0.3/32");
        assertThat(kernelRoutes).last().isEqualTo(Set.of());
        assertThat(dns.handed).last().isEqualTo(List.of());
    }

    @Test
    void servingADomainRouteRunsTheForwarderOpensItsPortAndForwardsTowardsWhatItGaveOut() {
        List<String> served = new ArrayList<>();
        dev.tern.agent.dns.DnsForwarding.Listener[] listener = new dev.tern.agent.dns.DnsForwarding.Listener[1];
        engine.useForwarding(new dev.tern.agent.dns.DnsForwarding() {
            @Override
            public void serve(String meshAddress, int port, List<String> domains,
                              dev.tern.agent.dns.DnsForwarding.Listener l) {
                served.add(meshAddress + " " + port + " " + domains);
                listener[0] = l;
            }

            @Override
            public void close() {
                served.add("closed");
            }
        });
        dev.tern.agent.routing.DomainForwardRule rule = new dev.tern.agent.routing.DomainForwardRule(
                List.of("app.site.test"), new ForwardRuleSpec(List.of("100.64.0.2/32"), "0.0.0.0/32",
                FirewallRuleSpec.Protocol.TCP, 7000, 7000, true));
        engine.applyMap(map(1, new MapRoutes(List.of(web(ownKey, 10)), List.of(), List.of(rule), false), keyR1));

        assertThat(served).containsExactly("100.64.0.1/16 5353 [app.site.test]");
        assertThat(plane.firewalls).last().asList().contains(
                new FirewallRuleSpec("0.0.0.0/0", FirewallRuleSpec.Protocol.UDP, 5353, 5353, true));
        assertThat(plane.routedTraffic).last().isEqualTo(new RoutedTraffic(List.of(), List.of()));

        listener[0].forwarded("app.site.test", List.of("10.10.10.5"));
        assertThat(plane.routedTraffic).last().isEqualTo(new RoutedTraffic(List.of(new ForwardRuleSpec(
                List.of("100.64.0.2/32"), "10.10.10.5/32", FirewallRuleSpec.Protocol.TCP, 7000, 7000, true)),
                List.of("10.10.10.5/32")));

        // a map without the route: no forwarder, no port
        engine.applyMap(map(2, MapRoutes.NONE, keyR1));
        assertThat(served).last().isEqualTo("100.64.0.1/16 5353 []");
        assertThat(plane.firewalls).last().asList().doesNotContain(
                new FirewallRuleSpec("0.0.0.0/0", FirewallRuleSpec.Protocol.UDP, 5353, 5353, true));
        engine.close();
        assertThat(served).last().isEqualTo("closed");
    }

    @Test
    void anExitNodeThatSkipsAutoApplyIsUsedOnlyOnceSelected() {
        plane.handshakes.put(keyR1, now());
        RouteSpec exit = new RouteSpec("exit", "exit", "0.0.0.0/0", keyR1, 10, true, List.of(), false, true);
        engine.applyMap(map(1, new MapRoutes(List.of(exit), List.of()), keyR1));
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(engine.routeStatus()).extracting(StatusReport.Route::state).containsExactly(Routing.NOT_SELECTED);

        assertThat(engine.selectRoute("nope", true)).isFalse();
        assertThat(engine.selectRoute("exit", true)).isTrue();
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactlyInAnyOrder("100.64.0.2/32", "0.0.0.0/0");
        assertThat(kernelRoutes).last().isEqualTo(Set.of("0.0.0.0/0"));
        // the selection outlives new maps
        engine.applyMap(map(2, new MapRoutes(List.of(exit), List.of()), keyR1));
        assertThat(plane.peers.get(keyR1).allowedIps()).contains("0.0.0.0/0");

        assertThat(engine.selectRoute("exit", false)).isTrue();
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(kernelRoutes).last().isEqualTo(Set.of());
    }

    @Test
    void anIpv6RouteIsAppliedOnlyWhenTheMapGivesUsAnIpv6MeshAddress() {
        plane.handshakes.put(keyR1, now());
        RouteSpec lab6 = new RouteSpec("lab6", "lab6", "2001:db8:10::/64", keyR1, 10, false);
        engine.applyMap(map(1, new MapRoutes(List.of(lab6), List.of()), keyR1));
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactly("100.64.0.2/32");
        assertThat(plane.addressV6).isNull();
        assertThat(engine.routeStatus()).extracting(StatusReport.Route::state).containsExactly(Routing.NO_IPV6);

        MeshMap v4 = map(2, new MapRoutes(List.of(lab6), List.of(), List.of(), true), keyR1);
        engine.applyMap(new MeshMap(v4.serial(), v4.address(), v4.fqdn(), v4.peers(), v4.offlinePeers(),
                v4.inboundRules(), v4.dns(), v4.routes(), "fd00::1/64"));
        assertThat(plane.addressV6).isEqualTo("fd00::1/64");
        assertThat(plane.peers.get(keyR1).allowedIps()).containsExactlyInAnyOrder("100.64.0.2/32", "2001:db8:10::/64");
        assertThat(kernelRoutes).last().isEqualTo(Set.of("2001:db8:10::/64"));
        assertThat(engine.routeStatus()).extracting(StatusReport.Route::state).containsExactly(Routing.ACTIVE);
    }
}

package dev.tern.agent.engine;

import dev.tern.agent.TestKeys;
import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.agent.dataplane.ForwardRuleSpec;
import dev.tern.agent.dataplane.RoutedTraffic;
import dev.tern.agent.routing.MapRoutes;
import dev.tern.agent.routing.RouteSpec;
import dev.tern.agent.routing.Routing;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.management.DNSConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine hands each map's routes to routing: allowed IPs of the chosen peer, failover on a stale handshake. */
class EngineRoutesTest {
    private final String ownKey = TestKeys.publicKey();
    private final String keyR1 = TestKeys.publicKey();
    private final String keyR2 = TestKeys.publicKey();
    private final FakeDataPlane plane = new FakeDataPlane();
    private final EngineRelayTest.MovableClock clock =
            new EngineRelayTest.MovableClock(Instant.parse("2026-01-01T12:00:00Z"));
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
}

package dev.tern.agent.routing;

import dev.tern.agent.dataplane.FirewallRuleSpec;
import dev.tern.agent.dataplane.ForwardRuleSpec;
import dev.tern.agent.dataplane.RoutedTraffic;
import dev.tern.agent.status.StatusReport;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Choosing one routing peer per network, failing over, and serving our own routes. */
class RoutingTest {
    private static final String OWN = "own-key";
    private static final String R1 = "r1-key";
    private static final String R2 = "r2-key";
    private static final String E = "e-key";

    private final RecordingHost host = new RecordingHost();
    private final Routing routing = new Routing(OWN, host);

    static final class RecordingHost implements Routing.Host {
        final List<Set<String>> routes = new ArrayList<>();
        final List<Boolean> forwarding = new ArrayList<>();
        boolean closed;

        @Override
        public void routes(Set<String> networks, Collection<String> keepOutside) {
            routes.add(Set.copyOf(networks));
        }

        @Override
        public void forwarding(boolean on) {
            forwarding.add(on);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static RouteSpec site(String peer, long metric) {
        return new RouteSpec("site:" + peer, "site", "10.10.10.0/24", peer, metric, true);
    }

    @Test
    void lowestMetricAmongConnectedPeersCarriesTheNetworkAndOnlyIt() {
        Map<String, List<String>> allowed = routing.select(List.of(site(R1, 100), site(R2, 50)), Set.of(R1, R2),
                Set.of(R1, R2));

        assertThat(allowed).isEqualTo(Map.of(R2, List.of("10.10.10.0/24")));
        routing.apply(List.of());
        assertThat(host.routes).containsExactly(Set.of("10.10.10.0/24"));
        assertThat(host.forwarding).containsExactly(false);
    }

    @Test
    void whileNoneIsConnectedTheLowestMetricIsTriedAndAConnectedOneWinsOverIt() {
        assertThat(routing.select(List.of(site(R1, 100), site(R2, 50)), Set.of(R1, R2), Set.of()))
                .isEqualTo(Map.of(R2, List.of("10.10.10.0/24")));

        assertThat(routing.select(List.of(site(R1, 100), site(R2, 50)), Set.of(R1, R2), Set.of(R1)))
                .isEqualTo(Map.of(R1, List.of("10.10.10.0/24")));
        assertThat(routing.choices()).singleElement().satisfies(c -> {
            assertThat(c.route().peerKey()).isEqualTo(R1);
            assertThat(c.connected()).isTrue();
        });
    }

    @Test
    void theChoiceStaysOnAnEqualPeerAndFailsOverWhenItsPeerStopsHandshaking() {
        List<RouteSpec> routes = List.of(site(R1, 100), site(R2, 100));
        assertThat(routing.select(routes, Set.of(R1, R2), Set.of(R1, R2))).containsOnlyKeys(R1);

        // R1 stops handshaking: R2 takes over
        assertThat(routing.select(routes, Set.of(R1, R2), Set.of(R2))).containsOnlyKeys(R2);
        // R1 comes back with the same metric: the choice stays on R2 (no flapping)
        assertThat(routing.select(routes, Set.of(R1, R2), Set.of(R1, R2))).containsOnlyKeys(R2);
        // R2 leaves the map: R1
        assertThat(routing.select(routes, Set.of(R1), Set.of(R1, R2))).containsOnlyKeys(R1);
    }

    @Test
    void aBetterConnectedPeerTakesTheNetworkBack() {
        List<RouteSpec> routes = List.of(site(R1, 10), site(R2, 100));
        routing.select(routes, Set.of(R1, R2), Set.of(R2));
        assertThat(routing.select(routes, Set.of(R1, R2), Set.of(R1, R2))).containsOnlyKeys(R1);
    }

    @Test
    void routesOfPeersOutsideTheMapAreNotUsedAndGroupsAreIndependent() {
        RouteSpec exit = new RouteSpec("exit", "exit", "0.0.0.0/0", E, 9999, true);
        RouteSpec lab = new RouteSpec("lab", "lab", "10.20.0.0/16", R1, 1, false);
        Map<String, List<String>> allowed = routing.select(List.of(site(R2, 1), exit, lab), Set.of(R1, E),
                Set.of(R1, E));

        assertThat(allowed).isEqualTo(Map.of(E, List.of("0.0.0.0/0"), R1, List.of("10.20.0.0/16")));
        routing.apply(List.of());
        assertThat(host.routes).containsExactly(Set.of("0.0.0.0/0", "10.20.0.0/16"));
    }

    @Test
    void ourOwnRoutesAreServedWithForwardingTheirRulesAndMasquerade() {
        ForwardRuleSpec rule = new ForwardRuleSpec(List.of("100.64.0.2/32"), "10.10.10.0/24",
                FirewallRuleSpec.Protocol.TCP, 22, 22, true);
        RouteSpec served = new RouteSpec("site", "site", "10.10.10.0/24", OWN, 100, true);
        RouteSpec plain = new RouteSpec("lab", "lab", "10.20.0.0/16", OWN, 100, false);
        MapRoutes map = new MapRoutes(List.of(served, plain), List.of(rule));

        assertThat(routing.select(map.routes(), Set.of(R1), Set.of(R1))).isEmpty();
        assertThat(routing.routedTraffic(map)).isEqualTo(new RoutedTraffic(List.of(rule), List.of("10.10.10.0/24")));
        routing.apply(List.of());
        assertThat(host.forwarding).containsExactly(true);
        assertThat(host.routes).containsExactly(Set.of());
        assertThat(routing.status(key -> "name"))
                .extracting(StatusReport.Route::network, StatusReport.Route::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("10.10.10.0/24", Routing.SERVING),
                        org.assertj.core.groups.Tuple.tuple("10.20.0.0/16", Routing.SERVING));
    }

    @Test
    void aHostThatServesNothingForwardsNothingEvenWithRulesInTheMap() {
        ForwardRuleSpec rule = new ForwardRuleSpec(List.of("0.0.0.0/0"), "10.10.10.0/24",
                FirewallRuleSpec.Protocol.ALL, 0, 0, true);
        assertThat(routing.routedTraffic(new MapRoutes(List.of(site(R1, 1)), List.of(rule))))
                .isEqualTo(RoutedTraffic.NONE);
    }

    @Test
    void statusNamesTheChosenPeerAndWhetherItIsConnected() {
        routing.select(List.of(site(R1, 1)), Set.of(R1), Set.of());
        assertThat(routing.status(key -> key.equals(R1) ? "r1" : "?")).containsExactly(
                new StatusReport.Route("10.10.10.0/24", "site", "r1", R1, Routing.CONNECTING));
        routing.select(List.of(site(R1, 1)), Set.of(R1), Set.of(R1));
        assertThat(routing.status(key -> "r1")).extracting(StatusReport.Route::state).containsExactly(Routing.ACTIVE);
        routing.close();
        assertThat(host.closed).isTrue();
        assertThat(routing.status(key -> "r1")).isEmpty();
    }
}

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
        final List<Boolean> forwardingIpv6 = new ArrayList<>();
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
        public void forwardingIpv6(boolean on) {
            forwardingIpv6.add(on);
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

    // --- domain routes, IPv6, skipAutoApply

    private static RouteSpec web(String peer, long metric, boolean keepRoute) {
        return new RouteSpec("web:" + peer, "web", "192.0.2.0/32", peer, metric, false,
                List.of("app.example.com", "*.svc.example.com"), keepRoute, false);
    }

    @Test
    void aDomainRoutesResolvedAddressesGoToTheChosenPeerAsHostRoutes() {
        List<RouteSpec> routes = List.of(web(R1, 10, false), web(R2, 20, false));
        assertThat(routing.select(routes, Set.of(R1, R2), Set.of(R1, R2)))
                .as("nothing resolved yet: nothing routed").isEqualTo(Map.of(R1, List.of()));
        String group = web(R1, 10, false).group();

        assertThat(routing.resolved(group, "app.example.com", List.of("10.10.10.5", "10.10.10.6"))).isTrue();
        assertThat(routing.resolved(group, "app.example.com", List.of("10.10.10.6", "10.10.10.5")))
                .as("the same answer changes nothing").isFalse();
        assertThat(routing.select(routes, Set.of(R1, R2), Set.of(R1, R2)))
                .isEqualTo(Map.of(R1, List.of("10.10.10.5/32", "10.10.10.6/32")));
        routing.apply(List.of());
        assertThat(host.routes).last().isEqualTo(Set.of("10.10.10.5/32", "10.10.10.6/32"));
        assertThat(routing.status(key -> key.equals(R1) ? "r1" : "r2")).containsExactly(new StatusReport.Route(
                "app.example.com *.svc.example.com", "web", "r1", R1, Routing.ACTIVE,
                List.of("10.10.10.5", "10.10.10.6")));

        // R1 goes silent: the addresses move to R2 with the group
        assertThat(routing.select(routes, Set.of(R1, R2), Set.of(R2)))
                .isEqualTo(Map.of(R2, List.of("10.10.10.5/32", "10.10.10.6/32")));
        // the route goes: so do its addresses, also when it comes back
        routing.select(List.of(), Set.of(R1, R2), Set.of(R1, R2));
        assertThat(routing.select(routes, Set.of(R1, R2), Set.of(R1, R2))).isEqualTo(Map.of(R1, List.of()));
    }

    @Test
    void aNewAnswerReplacesTheOldAddressesUnlessTheRouteKeepsThem() {
        List<RouteSpec> plain = List.of(web(R1, 10, false));
        routing.select(plain, Set.of(R1), Set.of(R1));
        routing.resolved(plain.get(0).group(), "app.example.com", List.of("10.10.10.5"));
        routing.resolved(plain.get(0).group(), "app.example.com", List.of("10.10.10.7"));
        assertThat(routing.select(plain, Set.of(R1), Set.of(R1))).isEqualTo(Map.of(R1, List.of("10.10.10.7/32")));

        Routing keeping = new Routing(OWN, host);
        List<RouteSpec> kept = List.of(web(R1, 10, true));
        keeping.select(kept, Set.of(R1), Set.of(R1));
        keeping.resolved(kept.get(0).group(), "app.example.com", List.of("10.10.10.5"));
        assertThat(keeping.resolved(kept.get(0).group(), "app.example.com", List.of("10.10.10.7"))).isTrue();
        keeping.resolved(kept.get(0).group(), "api.svc.example.com", List.of("10.10.20.1"));
        assertThat(keeping.select(kept, Set.of(R1), Set.of(R1)))
                .isEqualTo(Map.of(R1, List.of("10.10.10.5/32", "10.10.10.7/32", "10.10.20.1/32")));
    }

    @Test
    void answersForGroupsNotInUseAndIpv6AnswersOnAnIpv4MeshAreNotRouted() {
        List<RouteSpec> routes = List.of(web(R1, 10, false));
        routing.select(routes, Set.of(R1), Set.of(R1));
        assertThat(routing.resolved("other|x", "app.example.com", List.of("10.10.10.5"))).isFalse();
        routing.resolved(routes.get(0).group(), "app.example.com", List.of("10.10.10.5", "2001:db8::5"));
        assertThat(routing.select(routes, Set.of(R1), Set.of(R1))).isEqualTo(Map.of(R1, List.of("10.10.10.5/32")));
        assertThat(routing.select(routes, Set.of(R1), Set.of(R1), true))
                .isEqualTo(Map.of(R1, List.of("10.10.10.5/32", "2001:db8::5/128")));
    }

    @Test
    void ipv6RoutesAreUsedOnlyOnAnIpv6Mesh() {
        RouteSpec lab6 = new RouteSpec("lab6", "lab6", "2001:db8:10::/64", R1, 1, false);
        assertThat(routing.select(List.of(lab6), Set.of(R1), Set.of(R1))).isEmpty();
        assertThat(routing.status(key -> "r1")).containsExactly(
                new StatusReport.Route("2001:db8:10::/64", "lab6", "r1", R1, Routing.NO_IPV6));

        assertThat(routing.select(List.of(lab6), Set.of(R1), Set.of(R1), true))
                .isEqualTo(Map.of(R1, List.of("2001:db8:10::/64")));
        routing.apply(List.of());
        assertThat(host.routes).last().isEqualTo(Set.of("2001:db8:10::/64"));
    }

    @Test
    void aRouteThatSkipsAutoApplyWaitsForSelectAndDeselectTurnsAnyRouteOff() {
        RouteSpec exit = new RouteSpec("exit", "exit", "0.0.0.0/0", E, 1, true, List.of(), false, true);
        List<RouteSpec> routes = List.of(exit, site(R1, 1));
        assertThat(routing.select(routes, Set.of(E, R1), Set.of(E, R1)))
                .isEqualTo(Map.of(R1, List.of("10.10.10.0/24")));
        assertThat(routing.status(key -> key.equals(E) ? "e" : "r1")).contains(
                new StatusReport.Route("0.0.0.0/0", "exit", "e", E, Routing.NOT_SELECTED));

        assertThat(routing.setSelected("nope", true)).as("an unknown network id").isFalse();
        assertThat(routing.setSelected("exit", true)).isTrue();
        assertThat(routing.select(routes, Set.of(E, R1), Set.of(E, R1)))
                .isEqualTo(Map.of(E, List.of("0.0.0.0/0"), R1, List.of("10.10.10.0/24")));

        assertThat(routing.setSelected("site", false)).isTrue();
        assertThat(routing.setSelected("exit", false)).isTrue();
        assertThat(routing.select(routes, Set.of(E, R1), Set.of(E, R1))).isEmpty();
        assertThat(routing.status(key -> "x")).extracting(StatusReport.Route::state)
                .containsOnly(Routing.NOT_SELECTED);
        assertThat(routing.setSelected("site", true)).isTrue();
        assertThat(routing.select(routes, Set.of(E, R1), Set.of(E, R1)))
                .isEqualTo(Map.of(R1, List.of("10.10.10.0/24")));
    }

    @Test
    void aKeptSelectionAppliesToTheFirstMapOfTheNextRun() {
        RouteSpec exit = new RouteSpec("exit", "exit", "0.0.0.0/0", E, 1, true, List.of(), false, true);
        routing.select(List.of(exit, site(R1, 1)), Set.of(E, R1), Set.of(E, R1));
        routing.setSelected("exit", true);
        routing.setSelected("site", false);
        Routing.Selection kept = routing.selection();
        assertThat(kept).isEqualTo(new Routing.Selection(List.of("exit"), List.of("site")));

        Routing nextRun = new Routing(OWN, new RecordingHost());
        nextRun.restore(kept);
        assertThat(nextRun.select(List.of(exit, site(R1, 1)), Set.of(E, R1), Set.of(E, R1)))
                .isEqualTo(Map.of(E, List.of("0.0.0.0/0")));
    }

    @Test
    void servingAnIpv6RouteTurnsOnIpv6ForwardingToo() {
        routing.select(List.of(new RouteSpec("site", "site", "10.10.10.0/24", OWN, 1, true)), Set.of(), Set.of());
        routing.apply(List.of());
        routing.select(List.of(new RouteSpec("lab6", "lab6", "2001:db8:10::/64", OWN, 1, true)), Set.of(), Set.of());
        routing.apply(List.of());

        assertThat(host.forwarding).containsExactly(true, true);
        assertThat(host.forwardingIpv6).containsExactly(false, true);
    }

    @Test
    void aServedDomainRouteForwardsAndMasqueradesTowardsWhatOurForwarderGaveOut() {
        RouteSpec served = new RouteSpec("web", "web", "192.0.2.0/32", OWN, 10, true, List.of("app.example.com"),
                false, false);
        DomainForwardRule rule = new DomainForwardRule(List.of("app.example.com"), new ForwardRuleSpec(
                List.of("100.64.0.2/32"), "0.0.0.0/32", FirewallRuleSpec.Protocol.TCP, 443, 443, true));
        MapRoutes map = new MapRoutes(List.of(served), List.of(), List.of(rule), false);
        routing.select(map.routes(), Set.of(R1), Set.of(R1));
        assertThat(routing.servesDomainRoutes(map)).isTrue();
        assertThat(routing.servedDomains()).containsExactly("app.example.com");
        assertThat(routing.routedTraffic(map)).as("nothing resolved: nothing forwarded")
                .isEqualTo(new RoutedTraffic(List.of(), List.of()));

        assertThat(routing.forwarded("other.example.com", List.of("10.9.9.9"))).as("not a served domain").isFalse();
        assertThat(routing.forwarded("app.example.com", List.of("10.10.10.5"))).isTrue();
        assertThat(routing.forwarded("app.example.com", List.of("10.10.10.5"))).isFalse();
        assertThat(routing.routedTraffic(map)).isEqualTo(new RoutedTraffic(List.of(new ForwardRuleSpec(
                List.of("100.64.0.2/32"), "10.10.10.5/32", FirewallRuleSpec.Protocol.TCP, 443, 443, true)),
                List.of("10.10.10.5/32")));
        assertThat(routing.status(key -> "x")).containsExactly(new StatusReport.Route("app.example.com", "web",
                null, OWN, Routing.SERVING, List.of("10.10.10.5")));

        // the route goes: what it forwarded goes with it
        routing.select(List.of(), Set.of(R1), Set.of(R1));
        routing.select(map.routes(), Set.of(R1), Set.of(R1));
        assertThat(routing.routedTraffic(map)).isEqualTo(new RoutedTraffic(List.of(), List.of()));
    }
}

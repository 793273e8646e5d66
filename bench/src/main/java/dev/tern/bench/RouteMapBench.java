package dev.tern.bench;

import dev.tern.events.AccountEvent;
import dev.tern.events.NameServerGroupCreated;
import dev.tern.events.RouteCreated;
import dev.tern.events.RouteUpdated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.NameServer;
import dev.tern.events.values.NameServerGroupDefinition;
import dev.tern.events.values.RouteDefinition;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.PeerNetworkMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What routes (and, once they exist, nameserver groups) add to network map computation (issue 10's benchmark): the
 * same account with and without them, in the same run. The account is NetworkMapBench's "Large" shape (5,000 peers in
 * 200 groups, one routing peer per group, a group-to-itself policy per group); the routed variant adds one route per
 * group through that group's routing peer to 10.g.0.0/24, distributed to the group, every other one guarded by the
 * group as access-control group (so its routing peer gets firewall rules from the group's policy).
 * <p>
 * Measures, per variant: replay (boot), every map recomputed from the graph, and one route change (a route's metric)
 * applied incrementally. Target (issue 10): routes and DNS add at most 50 % to the full computation.
 * <p>
 * Run: {@code ./mvnw -B -o -q -pl bench org.codehaus.mojo:exec-maven-plugin:3.5.0:java
 * -Dexec.mainClass=dev.tern.bench.RouteMapBench} with optional args: runs (5), peers (5000), groups (200),
 * routes (200), nameserver groups (50, {@link #nameserverGroupEvents}). A smoke run:
 * {@code -Dexec.args="1 100 10 10 5"}.
 */
public final class RouteMapBench {
    private RouteMapBench() {
    }

    public static void main(String[] args) {
        int runs = intArg(args, 0, 5);
        int peers = intArg(args, 1, 5000);
        int groups = intArg(args, 2, 200);
        int routes = intArg(args, 3, 200);
        int nameserverGroups = intArg(args, 4, 50);
        if (routes > groups) {
            throw new IllegalArgumentException("one route per group: at most " + groups + " routes");
        }
        NetworkMapBench.Shape shape = new NetworkMapBench.Shape("Large", peers, groups, 1700);
        List<AccountEvent> plain = NetworkMapBench.history(shape);
        List<AccountEvent> routed = new ArrayList<>(plain);
        routed.addAll(routeEvents(shape, routes));
        List<AccountEvent> dns = nameserverGroupEvents(shape, nameserverGroups);
        routed.addAll(dns);

        System.out.printf(Locale.ROOT, "Route map bench: %d peers in %d groups (+%d routing peers), %d runs per "
                        + "measurement (median shown), %d CPUs, max heap %d MB%n%n", peers, groups, groups, runs,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.println("| account | replay (boot) | all maps | one route changes | maps pushed | routes in maps "
                + "| route firewall rules |");
        System.out.println("|---|---|---|---|---|---|---|");
        // Both variants in one JVM share the JIT's profile: the second can come out compiled for the first's shape
        // (readings of one variant jumped between 24 and 47 ms). scripts/bench-route-maps.sh therefore runs each
        // variant in a JVM of its own ("without" / "with") and compares those; "both" is the quick look.
        String variant = args.length > 5 ? args[5] : "both";
        String routedName = routes + " routes" + (dns.isEmpty() ? "" : ", " + nameserverGroups + " nameserver groups");
        if (variant.equals("without") || variant.equals("with")) {
            NetworkMapBench.Timing alone = variant.equals("with")
                    ? measure(routedName, routed, runs, routes > 0) : measure("without routes", plain, runs, false);
            System.out.printf(Locale.ROOT, "%nall maps, %s: %.2f ms (wall, median)%n", variant, alone.wallMs());
            return;
        }
        NetworkMapBench.Timing without = measure("without routes", plain, runs, false);
        NetworkMapBench.Timing with = measure(routedName, routed, runs, routes > 0);
        System.out.printf(Locale.ROOT, "%nRoutes%s add %.0f %% to the full computation (wall time; target <= 50 %%)%n",
                dns.isEmpty() ? "" : " and DNS", 100.0 * (with.wallMs() - without.wallMs()) / without.wallMs());
    }

    private static int intArg(String[] args, int index, int fallback) {
        return args.length > index ? Integer.parseInt(args[index]) : fallback;
    }

    /** Route g goes through group g's routing peer (NetworkMapBench's extra peer of the group) to 10.g.0.0/24. */
    static List<AccountEvent> routeEvents(NetworkMapBench.Shape shape, int routes) {
        List<AccountEvent> events = new ArrayList<>();
        for (int g = 0; g < routes; g++) {
            events.add(new RouteCreated("bench", route(g), definition(shape, g, 9999)));
        }
        return events;
    }

    private static String route(int g) {
        return "route-" + g;
    }

    private static RouteDefinition definition(NetworkMapBench.Shape shape, int g, int metric) {
        String group = NetworkMapBench.groupId(g);
        return new RouteDefinition("", "net-" + g, true, NetworkMapBench.peerId(shape.peers() + g), List.of(),
                subnet(g), List.of(), metric, true, List.of(group), false, g % 2 == 0 ? List.of() : List.of(group),
                false);
    }

    private static Cidr subnet(int g) {
        return new Cidr("10." + (g / 256) + "." + (g % 256) + ".0", 24);
    }

    /**
     * The nameserver groups of issue 10's benchmark shape (50 by default): group n sends {@code corpN.example} to two
     * nameservers and is distributed to one of the account's groups (spread over them), so each lands in the maps of
     * that group's members, as NetBird distributes them.
     */
    static List<AccountEvent> nameserverGroupEvents(NetworkMapBench.Shape shape, int count) {
        List<AccountEvent> events = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            String group = NetworkMapBench.groupId(n * shape.groups() / Math.max(count, 1));
            events.add(new NameServerGroupCreated("bench", "ns-" + n, new NameServerGroupDefinition("ns-" + n, "",
                    List.of(new NameServer("10.53." + (n / 256) + "." + (n % 256 + 1), "udp", 53),
                            new NameServer("10.54." + (n / 256) + "." + (n % 256 + 1), "udp", 53)),
                    true, List.of(group), false, List.of("corp" + n + ".example"), true)));
        }
        return events;
    }

    private static NetworkMapBench.Timing measure(String name, List<AccountEvent> history, int runs,
                                                  boolean changeARoute) {
        // warm-up: one recomputation leaves the map code interpreted or half-compiled, and the variant measured
        // first would pay for the JIT (two identical variants differed by up to 30 % that way)
        NetworkMapProjector warm = NetworkMapBench.replay(history);
        for (int i = 0; i < 30; i++) {
            warm.recomputeAll("bench");
        }
        NetworkMapBench.Timing[] replay = new NetworkMapBench.Timing[runs];
        NetworkMapProjector projector = null;
        for (int i = 0; i < runs; i++) {
            NetworkMapBench.Clock clock = new NetworkMapBench.Clock();
            projector = NetworkMapBench.replay(history);
            replay[i] = clock.stop();
        }
        NetworkMapBench.Timing[] allMaps = new NetworkMapBench.Timing[runs];
        for (int i = 0; i < runs; i++) {
            NetworkMapBench.Clock clock = new NetworkMapBench.Clock();
            List<PeerNetworkMap> changed = projector.recomputeAll("bench");
            allMaps[i] = clock.stop();
            if (!changed.isEmpty()) {
                throw new IllegalStateException("full recomputation disagrees with the incremental maps");
            }
        }
        String change = "-";
        int pushed = 0;
        if (changeARoute) {
            NetworkMapBench.Timing[] routeChange = new NetworkMapBench.Timing[runs];
            for (int i = 0; i < runs; i++) {
                // route 1 (guarded by its group) alternates its metric: its routing peer and its group's maps change
                AccountEvent event = new RouteUpdated("bench", route(1), withMetric(history, i % 2 == 0 ? 100 : 9999));
                NetworkMapBench.Clock clock = new NetworkMapBench.Clock();
                pushed = projector.apply(event).size();
                routeChange[i] = clock.stop();
            }
            change = NetworkMapBench.format(NetworkMapBench.median(routeChange));
        }
        long routes = projector.currentMaps("bench").values().stream().mapToLong(m -> m.routes().size()).sum();
        long rules = projector.currentMaps("bench").values().stream()
                .mapToLong(m -> m.routeFirewallRules().size()).sum();
        NetworkMapBench.Timing allMapsMedian = NetworkMapBench.median(allMaps);
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %d | %d | %d |%n", name,
                NetworkMapBench.format(NetworkMapBench.median(replay)), NetworkMapBench.format(allMapsMedian), change,
                pushed, routes, rules);
        return allMapsMedian;
    }

    /** Route 1 as the history created it, with another metric. */
    private static RouteDefinition withMetric(List<AccountEvent> history, int metric) {
        for (AccountEvent event : history) {
            if (event instanceof RouteCreated created && created.routeId().equals(route(1))) {
                RouteDefinition d = created.definition();
                return new RouteDefinition(d.description(), d.netId(), d.enabled(), d.peer(), d.peerGroups(),
                        d.network(), d.domains(), metric, d.masquerade(), d.groups(), d.keepRoute(),
                        d.accessControlGroups(), d.skipAutoApply());
            }
        }
        throw new IllegalStateException("no route 1 in the history");
    }
}

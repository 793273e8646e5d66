package dev.tern.bench;

import dev.tern.events.AccountCreated;
import dev.tern.events.AccountEvent;
import dev.tern.events.AllGroup;
import dev.tern.events.GroupCreated;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PolicyCreated;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapHub;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.PeerNetworkMap;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Network map computation on the account shapes of NetBird's {@code BenchmarkUpdateAccountPeers}
 * (management/server/peer_test.go, {@code setupTestAccountManager}): P peers spread over G groups of P/G peers, plus
 * one extra (routing) peer per group, and per group one enabled bidirectional accept-all policy group-i to group-i.
 * NetBird's All group is empty in that setup and its network-resource policies have no Tern counterpart, so neither
 * is modelled. Every peer has a hub subscription, as every peer has an update channel in NetBird's benchmark.
 * <p>
 * Measures, per shape: replaying the account's events into a fresh projector (a boot), recomputing every peer's map
 * from the graph (NetBird's full account update), and one membership change (a peer of group 0 joins group 1)
 * applied incrementally. Not a test: it asserts nothing and prints a table.
 * <p>
 * Run: {@code ./mvnw -B -o -q -pl bench org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.mainClass=dev.tern.bench.NetworkMapBench}
 * (optional args: runs per measurement, default 5).
 */
public final class NetworkMapBench {
    private static final String ACCOUNT = "bench";
    private static final String DOMAIN = "tern.internal";

    /** peers, groups, NetBird's local upper bound in ms for a full account update (maxMsPerOpLocal). */
    record Shape(String name, int peers, int groups, double netbirdBudgetMs) {
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape("Small", 50, 5, 120),
            new Shape("Medium", 500, 100, 150),
            new Shape("Large", 5000, 200, 1700),
            new Shape("Large 5", 5000, 15, 2100),
            new Shape("Extra Large", 2000, 2000, 2400));

    /** CPU time of the measuring thread: the work itself, whatever else competes for the 2 cores. */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private NetworkMapBench() {
    }

    /** Wall-clock and thread-CPU milliseconds of one measured run. */
    record Timing(double wallMs, double cpuMs) {
    }

    static final class Clock {
        private final long wall = System.nanoTime();
        private final long cpu = THREADS.getCurrentThreadCpuTime();

        Timing stop() {
            return new Timing((System.nanoTime() - wall) / 1e6, (THREADS.getCurrentThreadCpuTime() - cpu) / 1e6);
        }
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        System.out.printf(Locale.ROOT, "Network map bench: %d runs per measurement (median shown), %d CPUs, max heap %d MB, %s %s%n",
                runs, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.println();
        System.out.println("Times in ms, wall / thread CPU. 'all maps' = every peer's map recomputed from the graph (NetBird's"
                + " full account update); ratio = all-maps wall time / NetBird's budget.");
        System.out.println();
        System.out.println("| shape | peers/groups | total peers | replay (boot) | all maps | NetBird budget | ratio | membership change | maps pushed | firewall rules |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (Shape shape : SHAPES) {
            run(shape, runs);
        }
        System.out.println();
        System.out.println("Not a NetBird shape: one All <-> All accept policy (everybody sees everybody), the worst case"
                + " for a registration, which changes every map.");
        System.out.println();
        System.out.println("| peers | replay (boot) | all maps | one peer registers | maps pushed | firewall rules |");
        System.out.println("|---|---|---|---|---|---|");
        for (int peers : new int[] {1000, 5000}) {
            runAllToAll(peers, Math.min(runs, 3));
        }
    }

    private static void runAllToAll(int peers, int runs) {
        List<AccountEvent> history = new ArrayList<>();
        Cidr network = Cidr.parse("100.64.0.0/16");
        history.add(new AccountCreated(ACCOUNT, network, DOMAIN, Instant.EPOCH));
        history.add(new GroupCreated(ACCOUNT, "all", AllGroup.NAME, GroupIssuer.API));
        for (int p = 0; p < peers; p++) {
            history.add(registration(network, p));
        }
        // the policy last, so that the replay computes each map once instead of once per registration
        PolicyRule rule = new PolicyRule("rule-all", "All to All", "", true, RuleAction.ACCEPT, true, Protocol.ALL,
                List.of(), List.of(), List.of("all"), List.of("all"));
        history.add(new PolicyCreated(ACCOUNT, "policy-all",
                new PolicyDefinition("Default", "", true, List.of(rule), List.of())));

        replay(history).recomputeAll(ACCOUNT);
        Timing[] replay = new Timing[runs];
        NetworkMapProjector projector = null;
        for (int i = 0; i < runs; i++) {
            projector = null;
            Clock clock = new Clock();
            projector = replay(history);
            replay[i] = clock.stop();
        }
        Timing[] allMaps = new Timing[runs];
        for (int i = 0; i < runs; i++) {
            Clock clock = new Clock();
            projector.recomputeAll(ACCOUNT);
            allMaps[i] = clock.stop();
        }
        Timing[] registration = new Timing[runs];
        int pushed = 0;
        for (int i = 0; i < runs; i++) {
            int newcomer = peers + i;
            Clock clock = new Clock();
            pushed = projector.apply(registration(network, newcomer)).size();
            registration[i] = clock.stop();
        }
        long rules = projector.currentMaps(ACCOUNT).values().stream().mapToLong(m -> m.firewallRules().size()).sum();
        System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %d | %d |%n", peers, format(median(replay)),
                format(median(allMaps)), format(median(registration)), pushed, rules);
    }

    private static PeerRegistered registration(Cidr network, int p) {
        return new PeerRegistered(ACCOUNT, peerId(p), key(p), MeshIp.of(network.networkBits() + p + 1),
                peerId(p), peerId(p), PeerSystemMeta.ofHostname(peerId(p)), "setup-key", null, false, false,
                Instant.EPOCH);
    }

    private static void run(Shape shape, int runs) {
        List<AccountEvent> history = history(shape);
        int totalPeers = shape.peers() + shape.groups();

        // warm-up: one full replay and recompute, so the JIT has seen the code paths
        NetworkMapProjector warm = replay(history);
        warm.recomputeAll(ACCOUNT);

        Timing[] replay = new Timing[runs];
        NetworkMapProjector projector = null;
        for (int i = 0; i < runs; i++) {
            Clock clock = new Clock();
            projector = replay(history);
            replay[i] = clock.stop();
        }
        List<NetworkMapHub.Subscription> subscriptions = new ArrayList<>();
        for (int p = 0; p < totalPeers; p++) {
            subscriptions.add(projector.subscribe(ACCOUNT, peerId(p)));
        }

        Timing[] allMaps = new Timing[runs];
        for (int i = 0; i < runs; i++) {
            Clock clock = new Clock();
            List<PeerNetworkMap> changed = projector.recomputeAll(ACCOUNT);
            allMaps[i] = clock.stop();
            if (!changed.isEmpty()) {
                throw new IllegalStateException("full recomputation disagrees with the incremental maps");
            }
        }

        // peer 0 is in group 0; joining group 1 changes its map and those of group 1's members
        Timing[] membership = new Timing[runs];
        int pushed = 0;
        for (int i = 0; i < runs; i++) {
            AccountEvent change = i % 2 == 0
                    ? new PeerAddedToGroup(ACCOUNT, groupId(1), peerId(0))
                    : new PeerRemovedFromGroup(ACCOUNT, groupId(1), peerId(0));
            Clock clock = new Clock();
            pushed = projector.apply(change).size();
            membership[i] = clock.stop();
        }
        long rules = projector.currentMaps(ACCOUNT).values().stream().mapToLong(m -> m.firewallRules().size()).sum();
        subscriptions.forEach(NetworkMapHub.Subscription::close);

        Timing allMapsMedian = median(allMaps);
        System.out.printf(Locale.ROOT, "| %s | %d/%d | %d | %s | %s | %.0f | %.3f | %s | %d | %d |%n",
                shape.name(), shape.peers(), shape.groups(), totalPeers, format(median(replay)),
                format(allMapsMedian), shape.netbirdBudgetMs(), allMapsMedian.wallMs() / shape.netbirdBudgetMs(),
                format(median(membership)), pushed, rules);
    }

    static NetworkMapProjector replay(List<AccountEvent> history) {
        NetworkMapProjector projector = new NetworkMapProjector();
        for (AccountEvent event : history) {
            projector.apply(event);
        }
        return projector;
    }

    /** The account as NetBird's setupTestAccountManager lays it out, as the events Tern would have recorded. */
    static List<AccountEvent> history(Shape shape) {
        List<AccountEvent> events = new ArrayList<>();
        Cidr network = Cidr.parse("100.64.0.0/16");
        events.add(new AccountCreated(ACCOUNT, network, DOMAIN, Instant.EPOCH));
        events.add(new GroupCreated(ACCOUNT, "all", AllGroup.NAME, GroupIssuer.API));
        int totalPeers = shape.peers() + shape.groups();
        for (int p = 0; p < totalPeers; p++) {
            events.add(registration(network, p));
        }
        int perGroup = shape.peers() / shape.groups();
        for (int g = 0; g < shape.groups(); g++) {
            events.add(new GroupCreated(ACCOUNT, groupId(g), "Group " + g, GroupIssuer.API));
            for (int j = 0; j < perGroup; j++) {
                events.add(new PeerAddedToGroup(ACCOUNT, groupId(g), peerId(g * perGroup + j)));
            }
            // NetBird adds one routing peer per group ("peer-nr-N") to that group
            events.add(new PeerAddedToGroup(ACCOUNT, groupId(g), peerId(shape.peers() + g)));
            PolicyRule rule = new PolicyRule("rule-" + g, "Rule for Group " + g, "", true, RuleAction.ACCEPT, true,
                    Protocol.ALL, List.of(), List.of(), List.of(groupId(g)), List.of(groupId(g)));
            events.add(new PolicyCreated(ACCOUNT, "policy-" + g,
                    new PolicyDefinition("Policy for Group " + g, "", true, List.of(rule), List.of())));
        }
        return events;
    }

    static String peerId(int p) {
        return "peer-" + p;
    }

    static String groupId(int g) {
        return "group-" + g;
    }

    private static WireGuardKey key(int p) {
        byte[] raw = new byte[32];
        raw[0] = (byte) (p >>> 24);
        raw[1] = (byte) (p >>> 16);
        raw[2] = (byte) (p >>> 8);
        raw[3] = (byte) p;
        raw[31] = 1;
        return WireGuardKey.of(raw);
    }

    static String format(Timing timing) {
        return String.format(Locale.ROOT, timing.wallMs() < 10 ? "%.2f / %.2f" : "%.0f / %.0f",
                timing.wallMs(), timing.cpuMs());
    }

    /** Median by wall time (the run a reader would most likely see), with that run's CPU time. */
    static Timing median(Timing[] timings) {
        Timing[] sorted = timings.clone();
        Arrays.sort(sorted, java.util.Comparator.comparingDouble(Timing::wallMs));
        return sorted[sorted.length / 2];
    }
}

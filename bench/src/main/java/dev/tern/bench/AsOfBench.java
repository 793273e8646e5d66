package dev.tern.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.api.TernServerApplication;
import dev.tern.api.history.PeerTimeline;
import dev.tern.api.history.PointInTime;
import dev.tern.events.commands.AccountCommand;
import dev.tern.events.commands.CreateGroup;
import dev.tern.events.commands.CreatePolicy;
import dev.tern.events.commands.CreateSetupKey;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.commands.UpdateGroup;
import dev.tern.events.commands.UpdatePeer;
import dev.tern.events.commands.UpdatePolicy;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Ids;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.PortRange;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.Secrets;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.history.AccountEventsAt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.messaging.MetaData;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 12's as-of benchmark: every as-of GET of a 5,000-peer account ({@code /api/peers}, a peer, its network map,
 * accessible peers, access and timeline, groups, a group, policies, setup keys, users, routes, networks, nameserver
 * groups, the account), over HTTP against an in-process tern-server (embedded PostgreSQL, fsync on), at instants in
 * the middle of the account's history and near now; the live GETs (no as_of) for reference.
 *
 * <p>The account: 200 groups, 300 policies (some tcp with ports, half bidirectional), 50 reusable setup keys each
 * putting its peers into one of the first 50 groups, then 5,000 registrations, and a history around them: 150
 * groups' memberships set and reset, 1,000 peer renames and SSH toggles, 200 policy updates, 100 peers deleted and
 * 100 more registered; then 20 routes, a network with 20 resources and 5 routers, 10 nameserver groups and 10
 * service users with a token each.
 *
 * <p>Per reading: {@code runs + 1} requests one at a time, each as of another state (instants of distinct events
 * around the middle of the history, or of the newest events, shuffled), the first reported alone, p50 and p99 of
 * the others. First the reference: the read tables built as of the instant, the projections replaying the whole
 * history into temporary tables ({@link PointInTime#read}; at most 11 requests, it is slow; the peers list, a network
 * map and the groups). Then the server's path ({@link PointInTime#readFolded}: the account's events folded in
 * memory, the network maps from the state's projector), twice: warm (the folded read models and maps of the most
 * recent states kept, a new state's maps advanced from an earlier state's) and cold (both caches emptied before
 * every request).
 *
 * <p>Run: {@code scripts/bench-asof.sh [peers] [runs]} — see docs/benchmarks.md.
 */
public final class AsOfBench {
    private static final Actor BENCH = new Actor(Actor.Type.SYSTEM, "bench", "AsOfBench", "");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) {
        int status = 0;
        try {
            run(args);
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        } finally {
            // Axon's janitor thread is not a daemon; the bench is done once the context has closed.
            System.exit(status);
        }
    }

    private static void run(String[] args) throws Exception {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int groups = Math.max(10, peers / 25);
        int policies = groups * 3 / 2;
        int threads = 4;

        System.setProperty("axoniq.update-checker.disabled", "true");
        Path dataDir = Files.createTempDirectory("tern-bench-asof-");
        SpringApplication app = new SpringApplication(TernServerApplication.class);
        app.setDefaultProperties(Map.of("tern.data-dir", dataDir.toString(), "tern.http-port", "0",
                "tern.grpc-port", "0", "tern.signal-port", "0", "logging.level.root", "WARN",
                "logging.level.dev.tern", "WARN"));
        try (ConfigurableApplicationContext ctx = app.run()) {
            int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
            Http http = new Http("http://localhost:" + port);
            CommandGateway gateway = ctx.getBean(CommandGateway.class);
            MetaData meta = MetaData.from(BENCH.toMetadata());

            System.out.printf(Locale.ROOT, "machine: %d cores, %s %s, java %s; load average at start %.2f%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                    System.getProperty("os.arch"), System.getProperty("java.version"), loadAverage());
            JsonNode setup = http.post("/api/setup", null, Map.of("email", "bench@example.com",
                    "password", "bench-password-long-enough", "name", "Bench", "create_pat", true));
            String token = setup.get("personal_access_token").asText();
            String accountId = http.get("/api/accounts", token).get(0).get("id").asText();

            long seedStart = System.nanoTime();
            Seeder seeder = new Seeder(gateway, meta, threads);
            List<String> groupIds = new ArrayList<>();
            for (int i = 0; i < groups; i++) {
                groupIds.add(Ids.newId());
            }
            seeder.run(groups, i -> new CreateGroup(accountId, groupIds.get(i), "group-" + i, List.of()));
            Random random = new Random(42);
            List<String> policyIds = new ArrayList<>();
            List<PolicyDefinition> definitions = new ArrayList<>();
            for (int i = 0; i < policies; i++) {
                policyIds.add(Ids.newId());
                definitions.add(policy("policy-" + i, groupIds.get(random.nextInt(groups)),
                        groupIds.get(random.nextInt(groups)), i, true));
            }
            seeder.run(policies, i -> new CreatePolicy(accountId, policyIds.get(i), definitions.get(i)));
            int keyCount = Math.min(50, groups);
            List<String> keyHashes = new ArrayList<>();
            for (int k = 0; k < keyCount; k++) {
                String plainKey = "bench-" + Ids.newId();
                keyHashes.add(Secrets.sha256Hex(plainKey));
            }
            seeder.run(keyCount, k -> new CreateSetupKey(accountId, Ids.newId(), "key-" + k, SetupKeyType.REUSABLE,
                    keyHashes.get(k), "BENCH", null, 0, List.of(groupIds.get(k)), false, false));
            String[] peerIds = new String[peers + 100];
            IntFunction<AccountCommand> registration = i -> {
                byte[] key = new byte[32];
                new Random(i).nextBytes(key);
                peerIds[i] = Ids.newId();
                return new RegisterPeer(accountId, peerIds[i], keyHashes.get(i % keyCount), WireGuardKey.of(key),
                        PeerSystemMeta.ofHostname("host-" + i));
            };
            seeder.run(peers, registration);
            // history around the fleet
            int membershipGroups = groups - keyCount;
            seeder.run(membershipGroups * 2, i -> {
                int g = keyCount + i % membershipGroups;
                Random members = new Random(i);
                List<String> chosen = new ArrayList<>();
                for (int m = 0; m < 25; m++) {
                    chosen.add(peerIds[members.nextInt(peers)]);
                }
                return new UpdateGroup(accountId, groupIds.get(g), "group-" + g + (i >= membershipGroups ? "-b" : ""),
                        chosen.stream().distinct().toList());
            });
            seeder.run(Math.min(1_000, peers), i -> new UpdatePeer(accountId, peerIds[i * 5 % peers],
                    "renamed-" + i, i % 2 == 0, false, false));
            seeder.run(Math.min(200, policies), i -> new UpdatePolicy(accountId, policyIds.get(i),
                    policy("policy-" + i + "-v2", definitions.get(i).rules().get(0).sources().get(0),
                            definitions.get(i).rules().get(0).destinations().get(0), i, i % 3 != 0)));
            seeder.run(100, i -> new DeletePeer(accountId, peerIds[peers - 1 - i * Math.max(1, (peers - 1) / 100)]));
            seeder.run(100, i -> registration.apply(peers + i));
            // the account's other resources, over REST: routes, a network with resources and routers, nameserver
            // groups, DNS settings, service users with tokens
            String network = http.post("/api/networks", token, Map.of("name", "site", "description", "bench"))
                    .get("id").asText();
            for (int i = 0; i < 20; i++) {
                http.post("/api/routes", token, Map.of("description", "route " + i, "network_id", "net-" + i,
                        "enabled", true, "metric", 100, "masquerade", true, "groups", List.of(groupIds.get(i % groups)),
                        "keep_route", false, "network", "10.40." + i + ".0/24", "peer", peerIds[i * 2]));
                http.post("/api/networks/" + network + "/resources", token, Map.of("name", "res-" + i,
                        "address", "10.50." + i + ".0/24", "enabled", true, "groups", List.of(groupIds.get(i % groups))));
            }
            for (int i = 0; i < 5; i++) {
                http.post("/api/networks/" + network + "/routers", token, Map.of("peer", peerIds[i * 11],
                        "metric", 100, "masquerade", true, "enabled", true));
            }
            for (int i = 0; i < 10; i++) {
                http.post("/api/dns/nameservers", token, Map.of("name", "ns-" + i, "description", "",
                        "nameservers", List.of(Map.of("ip", "10.9.0." + (i + 1), "ns_type", "udp", "port", 53)),
                        "enabled", true, "groups", List.of(groupIds.get(i % groups)), "primary", false,
                        "domains", List.of("d" + i + ".example"), "search_domains_enabled", false));
                String user = http.post("/api/users", token, Map.of("name", "svc-" + i, "role", "user",
                        "auto_groups", List.of(groupIds.get(i % groups)), "is_service_user", true)).get("id").asText();
                http.post("/api/users/" + user + "/tokens", token, Map.of("name", "t", "expires_in", 30));
            }
            double seedSeconds = (System.nanoTime() - seedStart) / 1e9;

            // the live reads wait for the network maps; measured once every projection has caught up
            dev.tern.query.ProcessorReadYourWrites everything = ctx.getBean(dev.tern.query.ProcessorReadYourWrites.class)
                    .awaiting(List.of(dev.tern.projector.NetworkMapEventHandler.PROCESSING_GROUP));
            if (!everything.awaitCaughtUp(java.time.Duration.ofMinutes(15))) {
                throw new IllegalStateException("projections did not catch up within 15 minutes");
            }
            AccountEventsAt eventsAt = ctx.getBean(AccountEventsAt.class);
            List<DomainEventMessage<?>> history = eventsAt.all(accountId);
            Thread.sleep(5); // "near now": after the last event, a little
            // Every sample asks another state: instants of distinct events around the middle of the history, and
            // of the newest events (near now), in a shuffled order, so no answer is a cached one.
            int window = runs + 1;
            List<Instant> fromMiddle = history.subList(history.size() / 2, history.size()).stream()
                    .map(DomainEventMessage::getTimestamp).distinct().toList();
            List<Instant> midInstants = shuffled(fromMiddle.subList(0, Math.min(fromMiddle.size(), window)));
            List<Instant> distinct = history.stream().map(DomainEventMessage::getTimestamp).distinct().toList();
            List<Instant> nowInstants = shuffled(distinct.subList(Math.max(0, distinct.size() - window),
                    distinct.size()));
            String mapPeer = peerIds[1];
            System.out.printf(Locale.ROOT, "account: %d peers registered (100 deleted), %d groups, %d policies, %d events"
                    + " (seeded in %.0f s)%n", peers + 100, groups, policies, history.size(), seedSeconds);
            for (List<Instant> instants : List.of(midInstants, nowInstants)) {
                System.out.printf(Locale.ROOT, "  %s: %d instants %s .. %s%n", instants == midInstants ? "mid-history"
                                : "near now", instants.size(), instants.stream().min(Instant::compareTo).orElseThrow(),
                        instants.stream().max(Instant::compareTo).orElseThrow());
            }

            String peersPath = "/api/peers";
            String mapPath = "/api/peers/" + mapPeer + "/network-map";
            // every as-of GET of issue 12c: name to path
            Map<String, String> others = new java.util.LinkedHashMap<>();
            others.put("peer", "/api/peers/" + mapPeer);
            others.put("accessible-peers", "/api/peers/" + mapPeer + "/accessible-peers");
            others.put("access", "/api/peers/" + mapPeer + "/access/" + peerIds[2]);
            others.put("timeline", "/api/peers/" + mapPeer + "/timeline");
            others.put("groups", "/api/groups");
            others.put("group", "/api/groups/" + groupIds.get(0));
            others.put("policies", "/api/policies");
            others.put("setup-keys", "/api/setup-keys");
            others.put("users", "/api/users");
            others.put("routes", "/api/routes");
            others.put("networks", "/api/networks");
            others.put("dns nameservers", "/api/dns/nameservers");
            others.put("accounts", "/api/accounts");
            List<Reading> readings = new ArrayList<>();
            List<Instant> live = Collections.nCopies(window, null);
            Runnable keepMaps = () -> { };
            readings.add(measure("live (no as_of)", "peers", http, token, peersPath, live, keepMaps));
            readings.add(measure("live (no as_of)", "network-map", http, token, mapPath, live, keepMaps));
            for (Map.Entry<String, String> other : others.entrySet()) {
                readings.add(measure("live (no as_of)", other.getKey(), http, token, other.getValue(), live, keepMaps));
            }

            PointInTime pointInTime = ctx.getBean(PointInTime.class);
            // the reference: the read tables as of the instant, the whole history replayed into them (slow: fewer
            // samples, three GETs)
            pointInTime.readTablesAlways(true);
            pointInTime.forgetNetworkMaps();
            int referenceRuns = Math.min(window, 11);
            for (List<Instant> instants : List.of(midInstants, nowInstants)) {
                String label = (instants == midInstants ? "mid-history" : "near now") + ", read tables";
                List<Instant> some = instants.subList(0, Math.min(instants.size(), referenceRuns));
                readings.add(measure(label, "peers", http, token, peersPath, some, keepMaps));
                readings.add(measure(label, "network-map", http, token, mapPath, some, keepMaps));
                readings.add(measure(label, "groups", http, token, others.get("groups"), some, keepMaps));
            }
            pointInTime.readTablesAlways(false);
            for (boolean cold : List.of(false, true)) {
                pointInTime.forgetNetworkMaps();
                ctx.getBean(PeerTimeline.class).forget();
                PeerTimeline timelines = ctx.getBean(PeerTimeline.class);
                Runnable before = cold ? () -> {
                    pointInTime.forgetNetworkMaps();
                    timelines.forget();
                } : keepMaps;
                for (List<Instant> instants : List.of(midInstants, nowInstants)) {
                    String label = (instants == midInstants ? "mid-history" : "near now") + ", folded, "
                            + (cold ? "cold" : "warm");
                    readings.add(measure(label, "peers", http, token, peersPath, instants, before));
                    readings.add(measure(label, "network-map", http, token, mapPath, instants, before));
                    for (Map.Entry<String, String> other : others.entrySet()) {
                        readings.add(measure(label, other.getKey(), http, token, other.getValue(), instants, before));
                    }
                }
            }

            System.out.println();
            System.out.println("| instant | GET | first request ms | p50 ms | p99 ms | max ms | bytes |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|");
            readings.forEach(r -> System.out.println(r.row()));
            System.out.printf(Locale.ROOT, "%nload average at end %.2f%n", loadAverage());
        }
    }

    private static PolicyDefinition policy(String name, String source, String destination, int i, boolean enabled) {
        boolean tcp = i % 4 == 0;
        return new PolicyDefinition(name, "", enabled, List.of(new PolicyRule(Ids.newId(), name + "-rule", "", true,
                RuleAction.ACCEPT, i % 2 == 0, tcp ? Protocol.TCP : Protocol.ALL,
                tcp ? List.of(new PortRange(22, 22), new PortRange(443, 443)) : List.of(), tcp ? List.of(new PortRange(8000, 8100)) : List.of(),
                List.of(source), List.of(destination))), List.of());
    }

    /**
     * One request per instant ({@code null}: no as_of), one at a time, {@code before} run ahead of each outside the
     * clock; the first is reported alone, p50/p99 of the others. Bytes: the largest answer.
     */
    private static Reading measure(String instant, String endpoint, Http http, String token, String path,
                                   List<Instant> instants, Runnable before) throws Exception {
        long first = 0;
        int bytes = 0;
        long[] latencies = new long[instants.size() - 1];
        for (int i = 0; i < instants.size(); i++) {
            before.run();
            Instant at = instants.get(i);
            long t = System.nanoTime();
            String body = http.getRaw(at == null ? path : path + "?as_of=" + at, token);
            long took = System.nanoTime() - t;
            bytes = Math.max(bytes, body.length());
            if (i == 0) {
                first = took;
            } else {
                latencies[i - 1] = took;
            }
        }
        Arrays.sort(latencies);
        return new Reading(instant, endpoint, first, latencies, bytes);
    }

    private static List<Instant> shuffled(List<Instant> instants) {
        List<Instant> out = new ArrayList<>(instants);
        Collections.shuffle(out, new Random(7));
        return out;
    }

    record Reading(String instant, String endpoint, long firstNanos, long[] sorted, int bytes) {
        double percentile(double p) {
            int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
            return sorted[Math.max(0, index)] / 1e6;
        }

        String row() {
            return String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %d |", instant, endpoint,
                    firstNanos / 1e6, percentile(0.50), percentile(0.99), sorted[sorted.length - 1] / 1e6, bytes);
        }
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception e) {
            return -1;
        }
    }

    /** Sends commands from a few threads. */
    private static final class Seeder {
        private final CommandGateway gateway;
        private final MetaData meta;
        private final int threads;

        Seeder(CommandGateway gateway, MetaData meta, int threads) {
            this.gateway = gateway;
            this.meta = meta;
            this.threads = threads;
        }

        void run(int count, IntFunction<AccountCommand> command) throws Exception {
            // small batches: one command can append dozens of events (a group's members)
            for (int from = 0; from < count; from += 20) {
                int to = Math.min(count, from + 20);
                AtomicInteger next = new AtomicInteger(from);
                ExecutorService pool = Executors.newFixedThreadPool(threads);
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    futures.add(pool.submit(() -> {
                        for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
                            gateway.sendAndWait(GenericCommandMessage.asCommandMessage(command.apply(i))
                                    .andMetaData(meta));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
                pool.shutdown();
            }
        }
    }

    /** A minimal JSON client of the REST API. */
    private record Http(String base) {
        private static final HttpClient CLIENT = HttpClient.newHttpClient();

        JsonNode get(String path, String token) throws Exception {
            return JSON.readTree(getRaw(path, token));
        }

        String getRaw(String path, String token) throws Exception {
            HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Token " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
            }
            return response.body();
        }

        JsonNode post(String path, String token, Object body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (token != null) {
                request.header("Authorization", "Token " + token);
            }
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("POST " + path + ": " + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        }
    }
}

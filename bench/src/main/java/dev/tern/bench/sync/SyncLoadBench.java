package dev.tern.bench.sync;

import dev.tern.protocol.crypto.Keys;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.testsupport.process.ChildProcess;
import dev.tern.testsupport.process.TernServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Issue 3's server-side benchmarks (b), (c) and (d), from a load process separate from tern-server.
 *
 * <p>Shape: group {@code clients} (every simulated peer, through the setup key's auto-group), group {@code servers}
 * (two infrastructure peers) and one bidirectional policy clients↔servers — a hub-and-spoke network where each client
 * sees the servers and the servers see every client. The measured change is a REST membership edit of
 * {@code servers}: adding (then removing, then adding again) a third infrastructure peer, which changes the map of
 * every one of the clients.
 *
 * <ol>
 *   <li>(d) Login: N peers register over gRPC (sealed bodies, own X25519 keys) from several threads — throughput;
 *       then {@code extra} more peers, one at a time, with N already registered — new-peer Login latency.</li>
 *   <li>(b) N Sync streams over a few shared Netty channels; each client opens its first map. Per change: time from
 *       sending the REST call until each client holds a map that shows the change (decrypted and parsed).</li>
 *   <li>(c) Bytes: serialized EncryptedMessage sizes of everything the clients received for that change.</li>
 *   <li>Baseline, same run, same clients, after tern-server has been stopped: {@link BaselineServer} delivering the
 *       same maps (Tern's own, captured from client 0) and answering Login with Tern's own LoginResponse.</li>
 * </ol>
 *
 * <p>Bounded: fixed counts, every wait has a timeout, the server process is killed at the end (and by a shutdown
 * hook). Args: {@code [peers=5000] [extraLogins=200] [channels=4] [loginThreads=32] [changes=3]}; system properties
 * {@code syncbench.jar} (default api/target/tern-server.jar), {@code syncbench.heap} (server -Xmx, default 4g),
 * {@code syncbench.loginPauseMillis} (a pause before each sequential new-peer Login, default 0: back to back),
 * {@code syncbench.threadDumps} (thread dumps of tern-server taken during the first change, default 0).
 */
public final class SyncLoadBench {
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(60);

    private final int peers;
    private final int extraLogins;
    private final int channelCount;
    private final int loginThreads;
    private final int changes;
    private final List<String> rows = new ArrayList<>();

    private SyncLoadBench(int peers, int extraLogins, int channelCount, int loginThreads, int changes) {
        this.peers = peers;
        this.extraLogins = extraLogins;
        this.channelCount = channelCount;
        this.loginThreads = loginThreads;
        this.changes = changes;
    }

    public static void main(String[] args) {
        SyncLoadBench bench;
        try {
            int peers = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
            int extra = args.length > 1 ? Integer.parseInt(args[1]) : 200;
            int channels = args.length > 2 ? Integer.parseInt(args[2]) : 4;
            int loginThreads = args.length > 3 ? Integer.parseInt(args[3]) : 32;
            int changes = args.length > 4 ? Integer.parseInt(args[4]) : 3;
            if (peers < 1 || extra < 1 || channels < 1 || loginThreads < 1 || changes < 1 || args.length > 5) {
                throw new IllegalArgumentException("every count must be at least 1");
            }
            bench = new SyncLoadBench(peers, extra, channels, loginThreads, changes);
        } catch (IllegalArgumentException e) {
            System.err.println("usage: SyncLoadBench [peers=5000] [extraLogins=200] [channels=4] [loginThreads=32] "
                    + "[changes=3] (" + e.getMessage() + ")");
            System.exit(2);
            return;
        }
        int status = 0;
        try {
            bench.run();
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        // gRPC's and the JDK HTTP client's threads must not keep the load process alive; the server process is
        // stopped by try-with-resources or, failing that, by its shutdown hook.
        System.exit(status);
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "machine: %d cores, %.1f GiB RAM, %s %s, java %s (%s)%n",
                Runtime.getRuntime().availableProcessors(), totalMemoryGiB(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"), System.getProperty("java.vm.name"));
        System.out.printf(Locale.ROOT, "peers %d, extra logins %d, channels %d, login threads %d, changes %d%n",
                peers, extraLogins, channelCount, loginThreads, changes);
        System.out.println("load process and tern-server share the same cores");

        List<SimulatedPeer> clients = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
            clients.add(new SimulatedPeer(i));
        }
        // the three infrastructure peers: two servers, and the newcomer that the measured change adds and removes
        List<SimulatedPeer> infra = List.of(new SimulatedPeer(-1), new SimulatedPeer(-2), new SimulatedPeer(-3));
        String newcomerKey = infra.get(2).key.publicKeyBase64();
        Predicate<SyncResponse> hasNewcomer = map -> map.getNetworkMap().getRemotePeersList().stream()
                .map(RemotePeerConfig::getWgPubKey).anyMatch(newcomerKey::equals);

        ExecutorService clientExecutor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        Path jar = Path.of(System.getProperty("syncbench.jar", "api/target/tern-server.jar"));
        LoginResponse loginTemplate;
        SyncResponse mapBefore;
        SyncResponse mapAfter = null;
        double[] ternLogin;
        double[][] ternChanges = new double[changes][];
        List<SyncRecorder.Change> ternChangeRecords = new ArrayList<>();
        long[] restMillis = new long[changes];
        long tStart = System.nanoTime();
        System.out.printf(Locale.ROOT, "server jar %s, built %s%n", jar.toAbsolutePath(),
                Files.isRegularFile(jar) ? Files.getLastModifiedTime(jar) : "(missing)");
        Path workDir = Files.createTempDirectory("tern-syncbench-");
        try (TernServerProcess server = startServer(jar, workDir, System.getProperty("syncbench.heap", "4g"))) {
            System.out.printf(Locale.ROOT, "tern-server pid %d, http %d, grpc %d, log %s (started in %.1f s)%n",
                    server.pid(), server.httpPort(), server.grpcPort(), server.process().log(),
                    (System.nanoTime() - tStart) / 1e9);
            AdminRest rest = new AdminRest(server.httpPort());
            rest.setup();
            String clientsGroup = rest.createGroup("clients");
            String serversGroup = rest.createGroup("servers");
            String clientKey = rest.createSetupKey("clients", List.of(clientsGroup));
            String infraKey = rest.createSetupKey("infra", List.of());

            List<ManagedChannel> channels = openChannels(server.grpcPort(), clientExecutor);
            byte[] serverKey = serverKey(channels.get(0));
            List<String> infraIds = new ArrayList<>();
            for (SimulatedPeer p : infra) {
                String ip = address(p.login(channels.get(0), serverKey, infraKey));
                // a Login does not wait for the REST read model; poll until it shows the peer
                String id = rest.peerIdsByIp().get(ip);
                for (long deadline = System.nanoTime() + 30_000_000_000L; id == null; id = rest.peerIdsByIp().get(ip)) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("REST does not show the peer with mesh IP " + ip);
                    }
                    Thread.sleep(20);
                }
                infraIds.add(id);
            }
            List<String> serversOnly = infraIds.subList(0, 2);
            List<String> serversWithNewcomer = infraIds;
            rest.setGroupPeers(serversGroup, "servers", serversOnly);
            rest.createPolicy("clients-servers", clientsGroup, serversGroup);

            // (d) part 1: registration throughput
            double[] registration = new double[peers];
            long t0 = System.nanoTime();
            ExecutorService logins = Executors.newFixedThreadPool(loginThreads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (SimulatedPeer p : clients) {
                    done.add(logins.submit(() -> {
                        long s = System.nanoTime();
                        p.login(channels.get(Math.floorMod(p.index, channels.size())), serverKey, clientKey);
                        registration[p.index] = (System.nanoTime() - s) / 1e6;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(10, TimeUnit.MINUTES);
                }
            } finally {
                logins.shutdownNow();
            }
            double registrationSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "registered %d peers in %.1f s%n", peers, registrationSeconds);
            row("(d) registration, %d peers, %d concurrent logins", peers, loginThreads,
                    stats(registration), String.format(Locale.ROOT, "%.0f logins/s", peers / registrationSeconds));

            // Logins answer once the account has registered the device, before the projections have applied it
            // (as NetBird's do): let tern-server drain that backlog first, or the single logins below would be
            // timed against the catch-up of the whole registration burst.
            long drainStart = System.nanoTime();
            while (rest.peerIdsByIp().size() < peers) {
                Thread.sleep(50);
            }
            // a known peer's Login waits for the network-map projector when it has not shown the peer yet
            SimulatedPeer lastRegistered = clients.get(clients.size() - 1);
            lastRegistered.login(channels.get(Math.floorMod(lastRegistered.index, channels.size())), serverKey,
                    clientKey);
            System.out.printf(Locale.ROOT, "read model and network maps caught up %.1f s after the last login%n",
                    (System.nanoTime() - drainStart) / 1e9);

            // (d) part 2: a new peer's Login with N registered, one at a time
            ternLogin = new double[extraLogins];
            LoginResponse lastLogin = null;
            long pauseMillis = Long.getLong("syncbench.loginPauseMillis", 0);
            for (int i = 0; i < extraLogins; i++) {
                SimulatedPeer p = new SimulatedPeer(peers + i);
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
                long s = System.nanoTime();
                lastLogin = p.login(channels.get(i % channels.size()), serverKey, clientKey);
                ternLogin[i] = (System.nanoTime() - s) / 1e6;
            }
            loginTemplate = lastLogin;
            row("(d) new-peer Login with %d registered (sequential, n=%d)", peers, extraLogins, stats(ternLogin),
                    "target p50 < 10 ms");

            // Where a new peer's Login time goes: the same call for a known peer skips the registration command
            // (its setup key is ignored), leaving transport, box crypto, key look-up and the answer.
            double[] knownLogin = new double[extraLogins];
            for (int i = 0; i < extraLogins; i++) {
                SimulatedPeer p = clients.get(i % clients.size());
                long s = System.nanoTime();
                p.login(channels.get(i % channels.size()), serverKey, clientKey);
                knownLogin[i] = (System.nanoTime() - s) / 1e6;
            }
            row("(d) known-peer Login, no registration (sequential, n=%d)", extraLogins, "", stats(knownLogin),
                    "the part of a new-peer Login that is not the registration");

            // (b) Sync streams
            SyncRecorder recorder = new SyncRecorder(peers);
            t0 = System.nanoTime();
            List<SimulatedPeer.SyncClient> streams = new ArrayList<>();
            for (SimulatedPeer p : clients) {
                streams.add(p.sync(channels.get(p.index % channels.size()), serverKey, recorder));
            }
            boolean allFirst = recorder.awaitFirstMaps(Duration.ofMinutes(3));
            System.out.printf(Locale.ROOT, "%d Sync streams hold their first map after %.1f s%s%n", peers,
                    (System.nanoTime() - t0) / 1e9, allFirst ? "" : " — MISSING " + recorder.missingFirstMaps());
            recorder.awaitQuiet(Duration.ofSeconds(2), Duration.ofSeconds(60));
            long connected = rest.connectedPeers();
            System.out.printf(Locale.ROOT, "REST shows %d peers connected%s%n", connected,
                    connected == peers ? "" : " — EXPECTED " + peers);
            recorder.awaitQuiet(Duration.ofSeconds(2), Duration.ofSeconds(60));
            mapBefore = recorder.latestOfClientZero();

            for (int c = 0; c < changes; c++) {
                boolean add = c % 2 == 0;
                Predicate<SyncResponse> applied = add ? hasNewcomer : hasNewcomer.negate();
                SyncRecorder.Change change = recorder.begin(applied);
                Thread dumps = c == 0 ? threadDumps(server.pid()) : null;
                change.startNanos = System.nanoTime();
                if (dumps != null) {
                    dumps.start();
                }
                rest.setGroupPeers(serversGroup, "servers", add ? serversWithNewcomer : serversOnly);
                restMillis[c] = (System.nanoTime() - change.startNanos) / 1_000_000;
                boolean all = change.held.await(CHANGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                recorder.awaitQuiet(Duration.ofSeconds(1), Duration.ofSeconds(30)); // later pushes count as bytes
                recorder.end();
                if (dumps != null) {
                    dumps.join();
                }
                if (c == 0) {
                    mapAfter = recorder.latestOfClientZero();
                }
                ternChanges[c] = change.latenciesMillis();
                ternChangeRecords.add(change);
                System.out.printf(Locale.ROOT, "change %d (%s newcomer): REST answered after %d ms; %d/%d clients "
                                + "hold the new map%s%n", c + 1, add ? "add" : "remove", restMillis[c],
                        ternChanges[c].length, peers, all ? "" : " (TIMED OUT after " + CHANGE_TIMEOUT + ")");
            }
            if (recorder.failures() > 0) {
                System.out.println("stream failures: " + recorder.failures() + ", first: " + recorder.firstFailure());
            }
            streams.forEach(SimulatedPeer.SyncClient::cancel);
            closeChannels(channels);
            System.out.printf(Locale.ROOT, "stopping tern-server (pid %d)%n", server.pid());
            server.close();
            deleteRecursively(workDir);
        }
        if (mapAfter == null || mapBefore == null || hasNewcomer.test(mapBefore)) {
            throw new IllegalStateException("could not capture client 0's maps before/after the change");
        }
        for (int c = 0; c < changes; c++) {
            SyncRecorder.Change ch = ternChangeRecords.get(c);
            row("(b) Tern: change %d (%s), REST answered in %d ms; ms until each client holds its new map",
                    c + 1, c % 2 == 0 ? "add" : "remove", restMillis[c], stats(ternChanges[c]),
                    ternChanges[c].length + "/" + peers + " clients; first client " + firstMillis(ternChanges[c]));
            row("(c) Tern: bytes pushed for change %d", c + 1, "", "– | – | –",
                    String.format(Locale.ROOT, "%d messages, %s total, %d B/client avg, %d B max",
                            ch.messages.get(), bytes(ch.totalBytes()), ch.totalBytes() / peers, ch.maxBytesPerClient()));
        }

        // Baseline: same clients, same maps, a server that decides nothing
        try (BaselineServer baseline = new BaselineServer(loginTemplate, mapBefore)) {
            List<ManagedChannel> channels = openChannels(baseline.port(), clientExecutor);
            byte[] serverKey = serverKey(channels.get(0));
            double[] login = new double[extraLogins];
            long pauseMillis = Long.getLong("syncbench.loginPauseMillis", 0);
            for (int i = 0; i < extraLogins; i++) {
                SimulatedPeer p = new SimulatedPeer(peers + i);
                if (pauseMillis > 0) {
                    Thread.sleep(pauseMillis);
                }
                long s = System.nanoTime();
                p.login(channels.get(i % channels.size()), serverKey, "unused");
                login[i] = (System.nanoTime() - s) / 1e6;
            }
            row("(d) baseline: sealed Login echo, same channels (sequential, n=%d)", extraLogins, "", stats(login),
                    ratio(ternLogin, login));

            SyncRecorder recorder = new SyncRecorder(peers);
            List<SimulatedPeer.SyncClient> streams = new ArrayList<>();
            for (SimulatedPeer p : clients) {
                streams.add(p.sync(channels.get(p.index % channels.size()), serverKey, recorder));
            }
            if (!recorder.awaitFirstMaps(Duration.ofMinutes(3))) {
                throw new IllegalStateException(recorder.missingFirstMaps() + " baseline streams got no first map");
            }
            recorder.awaitQuiet(Duration.ofSeconds(2), Duration.ofSeconds(60));
            for (int c = 0; c < changes; c++) {
                boolean add = c % 2 == 0;
                SyncRecorder.Change change = recorder.begin(add ? hasNewcomer : hasNewcomer.negate());
                change.startNanos = System.nanoTime();
                baseline.push(add ? mapAfter : mapBefore);
                boolean all = change.held.await(CHANGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                recorder.awaitQuiet(Duration.ofSeconds(1), Duration.ofSeconds(30));
                recorder.end();
                double[] latencies = change.latenciesMillis();
                row("(b) baseline: push %d (%s); ms until each client holds it", c + 1, add ? "add" : "remove", "",
                        stats(latencies), (all ? "" : "TIMED OUT ") + "first client " + firstMillis(latencies)
                                + "; p99 ratio Tern/baseline "
                                + ratio(ternChanges[c], latencies) + "; " + bytes(change.totalBytes()) + " total");
            }
            streams.forEach(SimulatedPeer.SyncClient::cancel);
            closeChannels(channels);
        } finally {
            clientExecutor.shutdownNow();
        }

        System.out.println();
        System.out.println("| measurement | p50 ms | p99 ms | max ms | note |");
        System.out.println("|---|---:|---:|---:|---|");
        rows.forEach(System.out::println);
    }

    private void row(String what, Object a, Object b, String stats, String note) {
        String label = String.format(Locale.ROOT, what, a, b, "");
        rows.add("| " + label + " | " + stats + " | " + note + " |");
    }

    private void row(String what, Object a, Object b, Object c, String stats, String note) {
        String label = String.format(Locale.ROOT, what, a, b, c);
        rows.add("| " + label + " | " + stats + " | " + note + " |");
    }

    /**
     * tern-server as a separate operating-system process on free loopback ports with a throw-away data directory.
     * The jar is copied into {@code workDir} first, so a rebuild of {@code api} by someone else during the run cannot
     * pull it from under the process.
     */
    private static TernServerProcess startServer(Path jar, Path workDir, String heap) throws IOException {
        Path jarCopy = Files.copy(Path.of(ChildProcess.artifact(jar.toString())), workDir.resolve("tern-server.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        TernServerProcess server = TernServerProcess.fromJar(jarCopy).jvmOptions("-Xmx" + heap)
                // every simulated peer calls from the loopback address: lift the per-address limit above their count
                .env(Map.of("TERN_GRPC_MAX_CALLS_PER_ADDRESS", "1000000"))
                .log("tern-server", workDir.resolve("tern-server.log"))
                .launch(workDir.resolve("data"));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        return server.awaitReady();
    }

    /** Removes the work directory; the server log is kept when asked to (it is inside). */
    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static String stats(double[] millis) {
        if (millis.length == 0) {
            return "– | – | –";
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.1f | %.1f | %.1f", percentile(sorted, 50), percentile(sorted, 99),
                sorted[sorted.length - 1]);
    }

    /** When the first client held the change: the rest of the spread up to max is the fan-out itself. */
    private static String firstMillis(double[] millis) {
        return millis.length == 0 ? "–"
                : String.format(Locale.ROOT, "%.1f ms", Arrays.stream(millis).min().getAsDouble());
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String ratio(double[] tern, double[] baseline) {
        if (tern.length == 0 || baseline.length == 0) {
            return "–";
        }
        double[] t = tern.clone();
        double[] b = baseline.clone();
        Arrays.sort(t);
        Arrays.sort(b);
        return String.format(Locale.ROOT, "%.1f×", percentile(t, 99) / percentile(b, 99));
    }

    private static String bytes(long n) {
        return n >= 1 << 20 ? String.format(Locale.ROOT, "%.2f MiB", n / 1048576.0)
                : String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }

    private List<ManagedChannel> openChannels(int port, ExecutorService executor) {
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < channelCount; i++) {
            channels.add(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().executor(executor)
                    .maxInboundMessageSize(64 << 20).build());
        }
        return channels;
    }

    private static void closeChannels(List<ManagedChannel> channels) throws InterruptedException {
        channels.forEach(ManagedChannel::shutdownNow);
        for (ManagedChannel c : channels) {
            c.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static byte[] serverKey(ManagedChannel channel) {
        return Keys.decode(ManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .getServerKey(Empty.getDefaultInstance()).getKey(), "server key");
    }

    /** The mesh IP without its prefix, as the REST API shows it. */
    private static String address(LoginResponse login) {
        String address = login.getPeerConfig().getAddress();
        int slash = address.indexOf('/');
        return slash < 0 ? address : address.substring(0, slash);
    }

    /** Thread dumps of tern-server every 100 ms while the first change propagates (profiling, off by default). */
    private static Thread threadDumps(long pid) {
        int count = Integer.getInteger("syncbench.threadDumps", 0);
        if (count <= 0) {
            return null;
        }
        return new Thread(() -> {
            try {
                Path dir = Files.createTempDirectory("tern-syncbench-dumps-");
                for (int i = 0; i < count; i++) {
                    new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print")
                            .redirectOutput(dir.resolve("dump-" + i + ".txt").toFile())
                            .redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
                    Thread.sleep(100);
                }
                System.out.println("tern-server thread dumps in " + dir);
            } catch (IOException | InterruptedException e) {
                System.out.println("thread dumps failed: " + e);
            }
        }, "thread-dumps");
    }

    private static double totalMemoryGiB() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / (double) (1L << 30);
        }
        return Double.NaN;
    }
}

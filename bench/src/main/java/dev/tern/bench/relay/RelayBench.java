package dev.tern.bench.relay;

import dev.tern.protocol.relay.RelayTokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tern's relay and STUN beside coturn (TURN over TCP with ChannelData, {@link TurnLink}; its own
 * {@code turnutils_uclient} for reference) and beside a raw TCP forwarder (the ceiling), on one machine in one run,
 * every server carrying the same packets from the same load code: throughput for one pair and for many, the round-trip time a
 * relay adds, memory per idle session, STUN Binding answers per second. Each server runs in its own process (the
 * relay as the standalone node, {@code dev.tern.signal.SignalRelayMain}) so its resident memory can be read from
 * {@code /proc}. Linux only; needs {@code turnserver} and {@code turnutils_uclient} (scripts/bench-relay.sh
 * installs coturn) and a file-descriptor limit above twice the idle session count.
 *
 * <pre>
 * RelayBench [--smoke] [--pairs N] [--seconds S] [--idle N] [--rounds N] [--stun-seconds S] [--packet BYTES]
 *            [--phases memory,throughput,latency,uclient,stun]
 *            [--uclient-messages N]
 * </pre>
 */
public final class RelayBench {
    private final Map<String, String> options;
    private final List<Process> processes = new ArrayList<>();

    private RelayBench(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("pairs", "100", "seconds", "20", "idle", "10000",
                "rounds", "5000", "stun-seconds", "10", "packet", "1400", "uclient-messages", "5000",
                "phases", String.join(",", PHASES)));
        if (Arrays.asList(args).contains("--smoke")) {
            options.putAll(Map.of("pairs", "4", "seconds", "2", "idle", "200", "rounds", "200",
                    "stun-seconds", "2", "uclient-messages", "200"));
        }
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--smoke")) {
                continue;
            }
            if (!args[i].startsWith("--") || i + 1 >= args.length || !options.containsKey(args[i].substring(2))) {
                System.err.println("usage: RelayBench [--smoke] " + options.keySet().stream().sorted()
                        .map(k -> "[--" + k + " N]").reduce((a, b) -> a + " " + b).orElse(""));
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        RelayBench bench = new RelayBench(options);
        try {
            bench.run();
        } finally {
            bench.stopAll();
        }
    }

    /** Every phase, in the order they run; {@code --phases memory,stun} runs only those. */
    private static final List<String> PHASES = List.of("memory", "throughput", "latency", "uclient", "stun");

    private boolean runs(String phase) {
        return Arrays.asList(options.get("phases").split(",")).contains(phase);
    }

    private int option(String name) {
        return Integer.parseInt(options.get(name));
    }

    private void run() throws Exception {
        int pairs = option("pairs");
        double seconds = option("seconds");
        int idle = option("idle");
        int packet = option("packet");
        System.out.printf("relay bench %s: %d pairs, %.0f s per throughput phase, %d idle sessions, %d-byte packets%n",
                Instant.now(), pairs, seconds, idle, packet);

        String secret = UUID.randomUUID().toString();
        int relayPort = freeTcpPort();
        int ternStunPort = freeUdpPort();
        Process node = start("tern relay node", javaCommand("dev.tern.signal.SignalRelayMain"),
                Map.of("TERN_RELAY_SECRET", secret, "TERN_RELAY_PORT", String.valueOf(relayPort),
                        "TERN_SIGNAL_PORT", String.valueOf(freeTcpPort()), "TERN_STUN_PORT",
                        String.valueOf(ternStunPort), "TERN_RELAY_EXPOSED_ADDRESS", "rel://127.0.0.1:" + relayPort));
        int rawPort = freeTcpPort();
        Process raw = start("raw TCP forwarder", javaCommand(RawTcpForwarder.class.getName(), String.valueOf(rawPort)),
                Map.of());
        int turnPort = freeTcpPort();
        Process coturn = start("coturn", List.of("turnserver", "-n", "--no-auth", "--listening-ip", "127.0.0.1",
                "--relay-ip", "127.0.0.1", "--listening-port", String.valueOf(turnPort), "--min-port", "20000",
                "--max-port", "60000", "--no-tls", "--no-dtls", "--no-cli", "--allow-loopback-peers",
                "--simple-log", "--log-file", "stdout", "--pidfile", Files.createTempFile("turn", ".pid").toString()),
                Map.of());
        InetSocketAddress relay = new InetSocketAddress(InetAddress.getLoopbackAddress(), relayPort);
        InetSocketAddress rawAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), rawPort);
        InetSocketAddress turn = new InetSocketAddress(InetAddress.getLoopbackAddress(), turnPort);
        awaitListening(relay, node);
        awaitListening(rawAddress, raw);
        awaitListening(turn, coturn);

        Link.Factory tern = Link.Relay.factory(relay, RelayTokens.fromSharedSecret(secret, Clock.systemUTC()), "run");
        Link.Factory turnLinks = TurnLink.factory(turn);
        Link.Factory ceiling = Link.Raw.factory(rawAddress, "run");
        Table table = new Table();
        for (String phase : options.get("phases").split(",")) {
            if (!PHASES.contains(phase)) {
                throw new IllegalArgumentException("unknown phase '" + phase + "'; phases: " + String.join(",", PHASES));
            }
        }
        // Memory first, on processes that have carried no load yet: after the throughput phases a relay holds pooled
        // buffers it may hand back to the OS while idle sessions open, and the resident set then falls (no reading).
        if (runs("memory")) {
            memoryPhase(table, node, tern, raw, ceiling, coturn, turnLinks);
        }
        if (runs("throughput")) {
            throughputPhase(table, node, tern, coturn, turnLinks, raw, ceiling);
        }
        if (runs("latency")) {
            latencyPhase(table, tern, turnLinks, ceiling);
        }
        if (runs("uclient")) {
            uclientPhase(table, turnPort);
        }
        if (runs("stun")) {
            double stunSeconds = option("stun-seconds");
            double ternStun = StunLoad.run(new InetSocketAddress(InetAddress.getLoopbackAddress(), ternStunPort), 4,
                    32, stunSeconds).perSecond();
            double turnStun = StunLoad.run(turn, 4, 32, stunSeconds).perSecond();
            table.row("STUN Binding answers per second", ternStun, turnStun, Double.NaN, "beside coturn");
        }
        table.print();
    }

    private void throughputPhase(Table table, Process node, Link.Factory tern, Process coturn, Link.Factory turnLinks,
                                 Process raw, Link.Factory ceiling) throws Exception {
        int pairs = option("pairs");
        double seconds = option("seconds");
        int packet = option("packet");
        System.out.println("throughput (Tern, coturn, raw):");
        Throughput ternOne = throughput(node.pid(), tern, 1, seconds, packet);
        Throughput turnOne = throughput(coturn.pid(), turnLinks, 1, seconds, packet);
        Throughput rawOne = throughput(raw.pid(), ceiling, 1, seconds, packet);
        table.row("throughput, 1 pair (MiB/s of packets delivered)", ternOne.mibPerSecond(), turnOne.mibPerSecond(),
                rawOne.mibPerSecond(), "≥ coturn, ≥ 70 % of raw");
        Throughput ternMany = throughput(node.pid(), tern, pairs, seconds, packet);
        Throughput turnMany = throughput(coturn.pid(), turnLinks, pairs, seconds, packet);
        Throughput rawMany = throughput(raw.pid(), ceiling, pairs, seconds, packet);
        table.row("throughput, " + pairs + " pairs (MiB/s)", ternMany.mibPerSecond(), turnMany.mibPerSecond(),
                rawMany.mibPerSecond(), "≥ coturn, ≥ 70 % of raw");
        // What each MiB costs the server in CPU: on two shared cores the load and the server compete for CPU, so this
        // says more than MiB/s about the server alone, and moves less when the machine is busy.
        table.row("server CPU per MiB delivered, 1 pair (ms)", ternOne.cpuMillisPerMib(), turnOne.cpuMillisPerMib(),
                rawOne.cpuMillisPerMib(), "lower is better");
        table.row("server CPU per MiB delivered, " + pairs + " pairs (ms)", ternMany.cpuMillisPerMib(),
                turnMany.cpuMillisPerMib(), rawMany.cpuMillisPerMib(), "lower is better");
    }

    private void latencyPhase(Table table, Link.Factory tern, Link.Factory turnLinks, Link.Factory ceiling)
            throws Exception {
        int rounds = option("rounds");
        int packet = option("packet");
        Latency direct = latency(Link.Raw.direct(), rounds, packet);
        Latency ternLatency = latency(tern.pair(1_000_000), rounds, packet);
        Latency turnLatency = latency(turnLinks.pair(1_000_000), rounds, packet);
        Latency rawLatency = latency(ceiling.pair(1_000_000), rounds, packet);
        table.row("round trip added, p50 (µs; direct loopback " + fmt(direct.p50Micros()) + " µs)",
                ternLatency.p50Micros() - direct.p50Micros(), turnLatency.p50Micros() - direct.p50Micros(),
                rawLatency.p50Micros() - direct.p50Micros(), "");
        double fastestP99 = Math.min(ternLatency.p99Micros(), Math.min(turnLatency.p99Micros(), rawLatency.p99Micros()));
        if (direct.p99Micros() > fastestP99) {
            // An outlier in the baseline would make every "added" figure negative: not a reading of the relays.
            table.invalid("round trip added, p99", String.format(Locale.ROOT, "the direct loopback's p99 (%.0f µs) "
                    + "is above a relayed one's (%.0f µs): the baseline had an outlier", direct.p99Micros(), fastestP99));
        } else {
            table.row("round trip added, p99 (µs; direct loopback " + fmt(direct.p99Micros()) + " µs)",
                    ternLatency.p99Micros() - direct.p99Micros(), turnLatency.p99Micros() - direct.p99Micros(),
                    rawLatency.p99Micros() - direct.p99Micros(), "");
        }
    }

    private void memoryPhase(Table table, Process node, Link.Factory tern, Process raw, Link.Factory ceiling,
                             Process coturn, Link.Factory turnLinks) throws Exception {
        int idle = option("idle");
        System.out.println("memory per idle session (heap after a full GC + resident set outside the heap):");
        IdleMemory ternIdle = idleMemory("Tern", node, true, idle, tern::idle);
        IdleMemory rawIdle = idleMemory("raw", raw, true, idle, ceiling::idle);
        // coturn holds two descriptors per allocation (the TCP connection, the relayed UDP port).
        int turnIdleCount = (int) Math.min(idle, (openFileLimit() - 1000) / 2);
        IdleMemory turnIdle = idleMemory("coturn", coturn, false, turnIdleCount, turnLinks::idle);
        table.row("memory per idle session at " + idle + " sessions (KiB: heap after GC + outside the heap; "
                        + "coturn: RSS" + (turnIdleCount < idle ? ", at " + turnIdleCount + " (open-file limit)" : "")
                        + ")", ternIdle.perSessionKiB(), turnIdle.perSessionKiB(), rawIdle.perSessionKiB(),
                "≤ 20 KiB");
        for (var reading : Map.of("Tern", ternIdle, "raw TCP forwarder", rawIdle, "coturn", turnIdle).entrySet()) {
            if (!reading.getValue().valid()) {
                table.invalid("memory per idle session, " + reading.getKey(), reading.getValue().invalidReason());
            }
        }
    }

    private void uclientPhase(Table table, int turnPort) throws Exception {
        int rounds = option("rounds");
        int packet = option("packet");
        // coturn's own load client, for reference: paced by its own loop, so it measures uclient more than coturn.
        Uclient uclientOne = uclient(turnPort, 1, option("uclient-messages"), packet);
        Uclient uclientRtt = uclient(turnPort, 1, Math.min(rounds, 500), packet, 20); // 20 ms apart: ≤ 10 s
        table.row("coturn via turnutils_uclient -t -y: MiB/s delivered, 1 pair", Double.NaN,
                uclientOne.mibPerSecond(), Double.NaN, "reference only");
        table.row("coturn via turnutils_uclient: average round trip (µs, ms resolution)", Double.NaN,
                uclientRtt.rttMillis() * 1000, Double.NaN, "reference only");
    }

    // ---- measurements ----

    /** MiB/s of payload delivered, and the server's CPU time (user + system) per MiB delivered. */
    record Throughput(double mibPerSecond, double cpuMillisPerMib) {
    }

    /** Packets delivered end to end while every pair's sender writes as fast as it can, through the server process. */
    static Throughput throughput(long serverPid, Link.Factory factory, int pairs, double seconds, int packetSize)
            throws Exception {
        List<Link[]> links = open(pairs, factory::pair);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong delivered = new AtomicLong();
        AtomicLong sent = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        byte[] packet = new byte[packetSize];
        for (Link[] pair : links) {
            threads.add(daemon(() -> {
                while (running.get()) {
                    for (int i = 0; i < 16; i++) {
                        pair[0].write(packet);
                    }
                    pair[0].flush();
                    sent.addAndGet(16L * packetSize);
                }
                return null;
            }));
            threads.add(daemon(() -> {
                while (true) {
                    delivered.addAndGet(pair[1].read());
                }
            }));
        }
        threads.forEach(Thread::start);
        Thread.sleep((long) Math.max(500, seconds * 200)); // warm-up: the JIT and TCP windows
        long before = delivered.get();
        long sentBefore = sent.get();
        long cpuBefore = cpuMillis(serverPid);
        long start = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long bytes = delivered.get() - before;
        long sentBytes = sent.get() - sentBefore;
        long cpu = cpuMillis(serverPid) - cpuBefore;
        double elapsed = (System.nanoTime() - start) / 1e9;
        running.set(false);
        closeAll(links);
        // A relay drops what a receiver cannot take (WireGuard retransmits); a forwarder back-pressures instead.
        double mib = bytes / (1024.0 * 1024);
        Throughput result = new Throughput(mib / elapsed, mib == 0 ? Double.NaN : cpu / mib);
        System.out.printf(Locale.ROOT, "  %d pair(s): sent %.1f MiB/s, delivered %.1f MiB/s (%.1f %% not delivered), "
                        + "server CPU %.2f ms per MiB%n", pairs, sentBytes / elapsed / (1024 * 1024),
                result.mibPerSecond(), sentBytes == 0 ? 0 : Math.max(0, 100.0 * (sentBytes - bytes) / sentBytes),
                result.cpuMillisPerMib());
        return result;
    }

    /**
     * CPU time (user + system, all threads) the process has used, from {@code /proc/<pid>/stat}, in ms; the kernel
     * counts it in clock ticks of 10 ms (USER_HZ is 100 on Linux), so read it over seconds, not milliseconds.
     */
    static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        // Fields after the command name (which may hold spaces, hence from the last ')'): utime and stime are 14, 15.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    record Latency(double p50Micros, double p99Micros) {
    }

    /** One packet at a time from end 0 to end 1 and back. */
    static Latency latency(Link[] pair, int rounds, int packetSize) throws Exception {
        byte[] packet = new byte[packetSize];
        Thread echo = daemon(() -> {
            while (true) {
                pair[1].read();
                pair[1].write(packet);
                pair[1].flush();
            }
        });
        echo.start();
        long[] nanos = new long[rounds];
        for (int i = -rounds / 10; i < rounds; i++) { // the first tenth warms up and is not counted
            long start = System.nanoTime();
            pair[0].write(packet);
            pair[0].flush();
            pair[0].read();
            if (i >= 0) {
                nanos[i] = System.nanoTime() - start;
            }
        }
        closeAll(List.<Link[]>of(pair));
        Arrays.sort(nanos);
        return new Latency(nanos[rounds / 2] / 1e3, nanos[Math.min(rounds - 1, (int) (rounds * 0.99))] / 1e3);
    }

    interface Opener<T> {
        T open(int index) throws IOException;
    }

    /**
     * What the server process holds per idle session ({@link IdleMemory}). A tenth of the sessions (at most 1,000)
     * open and close first, so that pools and caches that any first sessions fill (Netty's buffer arenas, JIT code)
     * are not counted as a per-session cost; the first sample waits until the server has let go of them (e.g. the raw
     * forwarder's threads ending).
     */
    static IdleMemory idleMemory(String name, Process server, boolean jvm, int sessions, Opener<AutoCloseable> opener)
            throws Exception {
        closeEach(open(Math.min(1000, Math.max(1, sessions / 10)), opener));
        IdleMemory.Sample before = IdleMemory.settled(server.pid(), jvm);
        List<AutoCloseable> open = open(sessions, opener);
        Thread.sleep(2000);
        IdleMemory.Sample after = IdleMemory.sample(server.pid(), jvm);
        closeEach(open);
        IdleMemory memory = IdleMemory.of(sessions, before, after);
        System.out.printf(Locale.ROOT, "  %s: %s%n", name, memory.describe());
        return memory;
    }

    private static void closeEach(List<AutoCloseable> sessions) throws Exception {
        for (AutoCloseable session : sessions) {
            session.close();
        }
    }

    /** The soft limit on open files this process (and so the servers it started) runs with. */
    static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return 1024;
    }

    record Uclient(long receivedBytes, double seconds, double rttMillis) {
        double mibPerSecond() {
            return receivedBytes / seconds / (1024 * 1024);
        }
    }

    private static final Pattern RECEIVED = Pattern.compile("tot_recv_bytes ~ (\\d+)");
    private static final Pattern TIME = Pattern.compile("Total transmit time is (\\d+)");
    private static final Pattern RTT = Pattern.compile("Average round trip delay ([0-9.]+) ms");

    Uclient uclient(int port, int pairs, int messages, int packetSize) throws Exception {
        return uclient(port, pairs, messages, packetSize, 0);
    }

    /**
     * coturn's own load client, TCP to the server, client to client through two allocations per pair ({@code -y};
     * {@code -m} counts pairs), {@code -z} ms between one session's packets (0: as fast as it sends). Its
     * transmit time has whole-second resolution.
     */
    Uclient uclient(int port, int pairs, int messages, int packetSize, int intervalMillis) throws Exception {
        Process p = new ProcessBuilder("turnutils_uclient", "-t", "-y", "-m", String.valueOf(pairs), "-n",
                String.valueOf(messages), "-l", String.valueOf(packetSize), "-z", String.valueOf(intervalMillis),
                "-p", String.valueOf(port), "127.0.0.1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("turnutils_uclient failed:\n" + tail(out));
        }
        long received = lastLong(RECEIVED, out);
        double seconds = Math.max(1, lastLong(TIME, out));
        Matcher rtt = RTT.matcher(out);
        double rttMillis = Double.NaN;
        while (rtt.find()) {
            rttMillis = Double.parseDouble(rtt.group(1));
        }
        return new Uclient(received, seconds, rttMillis);
    }

    private static long lastLong(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        long value = -1;
        while (m.find()) {
            value = Long.parseLong(m.group(1));
        }
        if (value < 0) {
            throw new IllegalStateException("turnutils_uclient printed no '" + pattern + "':\n" + tail(text));
        }
        return value;
    }

    // ---- processes and plumbing ----

    private Process start(String name, List<String> command, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        processes.add(process);
        StringBuilder output = new StringBuilder();
        Thread drain = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (output) {
                        if (output.length() < 20_000) {
                            output.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, name + "-output");
        drain.setDaemon(true);
        drain.start();
        outputs.put(process, output);
        System.out.println("started " + name + " (pid " + process.pid() + ")");
        return process;
    }

    private final Map<Process, StringBuilder> outputs = new HashMap<>();

    private void awaitListening(InetSocketAddress address, Process process) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("process " + process.pid() + " ended before listening on "
                        + address + ":\n" + outputs.get(process));
            }
            try (Socket probe = new Socket()) {
                probe.connect(address, 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("nothing listens on " + address + " after 60 s:\n" + outputs.get(process));
    }

    private void stopAll() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static <T> List<T> open(int count, Opener<T> opener) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(pool.submit((Callable<T>) () -> opener.open(index)));
            }
            List<T> opened = new ArrayList<>();
            for (Future<T> future : futures) {
                opened.add(future.get(2, TimeUnit.MINUTES));
            }
            return opened;
        } finally {
            pool.shutdown();
        }
    }

    private static void closeAll(List<Link[]> links) {
        for (Link[] pair : links) {
            for (Link link : pair) {
                try {
                    link.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }
    }

    interface Body {
        Void run() throws Exception;
    }

    private static Thread daemon(Body body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Exception closed) {
                // the phase is over and its sockets were closed
            }
        });
        thread.setDaemon(true);
        return thread;
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    /** A server JVM on this classpath, with the fixed heap the memory reading needs. */
    private static List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(IdleMemory.FIXED_HEAP_FLAGS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    private static String fmt(double value) {
        return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.2f", value);
    }

    /** The results as a Markdown table with the ratios the targets are stated in. */
    private static final class Table {
        private final StringBuilder rows = new StringBuilder();
        private final StringBuilder invalid = new StringBuilder();

        void row(String measure, double tern, double coturn, double raw, String target) {
            rows.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", measure, fmt(tern),
                    fmt(coturn), fmt(raw), ratio(tern, coturn), ratio(tern, raw), target));
        }

        /** A reading that is not a measurement of the servers: said below the table instead of printed as a number. */
        void invalid(String measure, String reason) {
            invalid.append("- not valid, not printed: ").append(measure).append(": ").append(reason)
                    .append(System.lineSeparator());
        }

        private static String ratio(double a, double b) {
            return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? "—" : String.format(Locale.ROOT, "%.2f", a / b);
        }

        void print() {
            System.out.println();
            System.out.println("| measure | Tern relay | coturn (TURN) | raw TCP forwarder | Tern ÷ coturn | Tern ÷ raw | target |");
            System.out.println("|---|---:|---:|---:|---:|---:|---|");
            System.out.print(rows);
            if (!invalid.isEmpty()) {
                System.out.println();
                System.out.print(invalid);
            }
        }
    }
}

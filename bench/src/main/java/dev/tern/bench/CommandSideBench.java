package dev.tern.bench;

import dev.tern.api.TernServerApplication;
import dev.tern.events.commands.AccountCommand;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreateGroup;
import dev.tern.events.commands.CreatePolicy;
import dev.tern.events.commands.CreateSetupKey;
import dev.tern.events.commands.RegisterPeer;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.Ids;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.Secrets;
import dev.tern.events.values.SetupKeyType;
import dev.tern.events.values.WireGuardKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 2's command-side benchmark: on a fresh tern-server (embedded PostgreSQL, fsync on), one account gets
 * 500 groups, 1,000 policies and 10,000 peer registrations through the command side, from several client threads.
 * Reports commands/s and p50/p99 latency per phase.
 *
 * <p>Peers register with 50 reusable setup keys, each putting its peers into a different group, so the account looks
 * like a fleet spread over its groups. The registrations run twice: with every projection running (what a live
 * server does) and with the event processors stopped (the command side alone), followed by the time the
 * projections need to catch up.
 *
 * <p>Baseline, in the same process and database: the cheapest durable append there is — one INSERT of a
 * 600-byte row committed per transaction, from the same number of threads. The ratio says how much of the
 * durable-commit budget Tern's command handling (load aggregate, decide, serialise, append, publish) uses.
 *
 * <p>Run: {@code ./mvnw -B -q -DskipTests install && java -cp "bench/target/classes:$(cat bench/target/classpath.txt)"
 * dev.tern.bench.CommandSideBench [peers] [groups] [policies] [threads]} — see docs/benchmarks.md.
 */
public final class CommandSideBench {

    private static final Actor BENCH = new Actor(Actor.Type.SYSTEM, "bench", "CommandSideBench", "");

    public static void main(String[] args) throws Exception {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int groups = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int policies = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 8;

        System.setProperty("axoniq.update-checker.disabled", "true");
        Path dataDir = Files.createTempDirectory("tern-bench-");
        SpringApplication app = new SpringApplication(TernServerApplication.class);
        app.setDefaultProperties(java.util.Map.of(
                "tern.data-dir", dataDir.toString(), "tern.http-port", "0", "tern.grpc-port", "0",
                "tern.signal-port", "0", "logging.level.root", "WARN"));
        try (ConfigurableApplicationContext ctx = app.run()) {
            CommandGateway gateway = ctx.getBean(CommandGateway.class);
            DataSource dataSource = ctx.getBean(DataSource.class);
            MetaData meta = MetaData.from(BENCH.toMetadata());

            System.out.printf(Locale.ROOT, "machine: %d cores, %s %s, java %s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                    System.getProperty("os.arch"), System.getProperty("java.version"));
            System.out.printf(Locale.ROOT, "threads: %d%n%n", threads);

            // Warm-up: JIT, connection pool, aggregate cache — in a different account, not measured.
            String warmAccount = createAccount(gateway, meta);
            run("warm-up", 2_000, threads, i -> new CreateGroup(warmAccount, Ids.newId(), "warm-" + i, List.of()),
                    gateway, meta);
            Result baselineWarm = baseline(dataSource, 2_000, threads);

            String accountId = createAccount(gateway, meta);
            List<String> groupIds = new ArrayList<>();
            for (int i = 0; i < groups; i++) {
                groupIds.add(Ids.newId());
            }
            Result g = run("create group", groups, threads,
                    i -> new CreateGroup(accountId, groupIds.get(i), "group-" + i, List.of()), gateway, meta);

            Random random = new Random(42);
            List<PolicyDefinition> definitions = new ArrayList<>();
            for (int i = 0; i < policies; i++) {
                String src = groupIds.get(random.nextInt(groups));
                String dst = groupIds.get(random.nextInt(groups));
                definitions.add(new PolicyDefinition("policy-" + i, "", true, List.of(new PolicyRule(Ids.newId(),
                        "rule-" + i, "", true, RuleAction.ACCEPT, i % 2 == 0, Protocol.ALL, List.of(), List.of(),
                        List.of(src), List.of(dst))), List.of()));
            }
            Result p = run("create policy", policies, threads,
                    i -> new CreatePolicy(accountId, Ids.newId(), definitions.get(i)), gateway, meta);

            // A fleet spread over its groups: one reusable setup key per group (50 keys, keys.get(i % 50)), so every
            // registration lands in a group that some policies connect to others, as in a real account.
            int keyCount = Math.min(50, groups);
            List<String> keyHashes = new ArrayList<>();
            for (int k = 0; k < keyCount; k++) {
                String plainKey = "bench-" + Ids.newId();
                keyHashes.add(Secrets.sha256Hex(plainKey));
                gateway.sendAndWait(GenericCommandMessage.asCommandMessage(new CreateSetupKey(accountId,
                        Ids.newId(), "bench-" + k, SetupKeyType.REUSABLE, keyHashes.get(k), plainKey.substring(0, 5),
                        null, 0, List.of(groupIds.get(k)), false, false)).andMetaData(meta));
            }
            SecureRandom keys = new SecureRandom();
            IntFunction<AccountCommand> registration = i -> {
                byte[] key = new byte[32];
                keys.nextBytes(key);
                return new RegisterPeer(accountId, Ids.newId(), keyHashes.get(i % keyCount), WireGuardKey.of(key),
                        PeerSystemMeta.ofHostname("host-" + i));
            };
            Result r = run("register peer", peers, threads, registration, gateway, meta);

            // The same registrations with every event processor stopped: the command side alone (decide, append,
            // commit), then how long the projections need to catch up with what was written.
            EventProcessingConfiguration processing = ctx.getBean(EventProcessingConfiguration.class);
            processing.eventProcessors().values().forEach(EventProcessor::shutDown);
            int offset = peers;
            Result alone = run("register peer, projections paused", peers, threads,
                    i -> registration.apply(offset + i), gateway, meta);
            long catchUpStart = System.nanoTime();
            processing.eventProcessors().values().forEach(EventProcessor::start);
            long head = headIndex(dataSource);
            java.util.Map<String, Double> catchUp = new java.util.TreeMap<>();
            // Both processors run in parallel; each one's time is when it reached the head.
            List<StreamingEventProcessor> pending = new ArrayList<>();
            processing.eventProcessors().values().forEach(e -> pending.add((StreamingEventProcessor) e));
            while (!pending.isEmpty()) {
                pending.removeIf(e -> {
                    if (reached(e, head)) {
                        catchUp.put(e.getName(), (System.nanoTime() - catchUpStart) / 1e9);
                        return true;
                    }
                    return false;
                });
                if (System.nanoTime() - catchUpStart > 900_000_000_000L) {
                    throw new IllegalStateException("projections did not catch up within 15 minutes: " + pending);
                }
                Thread.sleep(5);
            }

            Result base = baseline(dataSource, peers, threads);

            System.out.println();
            System.out.println("| phase | commands | commands/s | p50 ms | p99 ms |");
            System.out.println("|---|---:|---:|---:|---:|");
            for (Result x : List.of(g, p, r, alone, base)) {
                System.out.println(x.row());
            }
            System.out.printf(Locale.ROOT, "%nregister peer throughput / baseline durable append: %.2f%n",
                    r.perSecond() / base.perSecond());
            System.out.printf(Locale.ROOT, "command side alone / baseline durable append: %.2f%n",
                    alone.perSecond() / base.perSecond());
            catchUp.forEach((name, seconds) -> System.out.printf(Locale.ROOT,
                    "processor %s caught up with %d paused registrations in %.1f s (%.0f registrations/s)%n",
                    name, peers, seconds, peers / seconds));
            System.out.printf(Locale.ROOT, "(warm-up baseline: %.0f/s)%n", baselineWarm.perSecond());
        }
        // Axon's janitor thread is not a daemon; the bench is done once the context has closed.
        System.exit(0);
    }

    private static long headIndex(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection();
             var rs = c.createStatement().executeQuery("SELECT MAX(global_index) FROM domain_event_entry")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean reached(StreamingEventProcessor processor, long head) {
        return !processor.processingStatus().isEmpty() && processor.processingStatus().values().stream()
                .allMatch(s -> s.getCurrentPosition().orElse(-1) >= head);
    }

    private static String createAccount(CommandGateway gateway, MetaData meta) {
        String accountId = Ids.newId();
        gateway.sendAndWait(GenericCommandMessage.asCommandMessage(new CreateAccount(accountId,
                Cidr.parse("100.64.0.0/16"), "bench.internal", Ids.newId(), "bench@example.com", "Bench",
                Ids.newId())).andMetaData(meta));
        return accountId;
    }

    private static Result run(String phase, int count, int threads, IntFunction<AccountCommand> command,
                              CommandGateway gateway, MetaData meta) throws Exception {
        return timed(phase, count, threads, () -> i ->
                gateway.sendAndWait(GenericCommandMessage.asCommandMessage(command.apply(i)).andMetaData(meta)));
    }

    /** The same number of durable single-row commits, straight through JDBC: the floor under any event store. */
    private static Result baseline(DataSource dataSource, int count, int threads) throws Exception {
        try (Connection c = dataSource.getConnection()) {
            c.createStatement().execute("CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial primary key, "
                    + "aggregate text, seq bigint, payload bytea)");
        }
        byte[] payload = new byte[600];
        return timed("baseline: durable JDBC insert", count, threads, () -> {
            Connection c = dataSource.getConnection();
            c.setAutoCommit(true);
            PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO bench_baseline (aggregate, seq, payload) VALUES (?, ?, ?)");
            return new Worker() {
                @Override
                public void operate(int i) throws Exception {
                    insert.setString(1, "baseline");
                    insert.setLong(2, i);
                    insert.setBytes(3, payload);
                    insert.executeUpdate();
                }

                @Override
                public void close() throws Exception {
                    insert.close();
                    c.close();
                }
            };
        });
    }

    /** What one bench thread does: operation number i, timed one by one; close releases what the thread held. */
    interface Worker extends AutoCloseable {
        void operate(int i) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    interface WorkerFactory {
        Worker open() throws Exception;
    }

    /** Runs operations 0..count-1 on {@code threads} threads, each with its own worker; latency per operation. */
    private static Result timed(String phase, int count, int threads, WorkerFactory workers) throws Exception {
        long[] latencies = new long[count];
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                try (Worker worker = workers.open()) {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        worker.operate(i);
                        latencies[i] = System.nanoTime() - t0;
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        long elapsed = System.nanoTime() - start;
        pool.shutdown();
        return new Result(phase, count, elapsed, latencies);
    }

    record Result(String phase, int count, long elapsedNanos, long[] latencies) {
        double perSecond() {
            return count / (elapsedNanos / 1e9);
        }

        double percentileMillis(double p) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
            return sorted[Math.max(0, index)] / 1e6;
        }

        String row() {
            return String.format(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f |", phase, count, perSecond(),
                    percentileMillis(0.50), percentileMillis(0.99));
        }
    }
}

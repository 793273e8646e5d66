package dev.tern.bench.history;

import dev.tern.api.replay.ReplayApplication;
import dev.tern.query.AxonSchemas;
import dev.tern.query.QuerySideConfiguration;
import dev.tern.query.ReadModelRebuild;
import dev.tern.query.audit.AuditReads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.MetaData;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Issue 12's history benchmarks at a million events: replaying every read model, and the audit page with filters.
 *
 * <p>The history ({@link FleetHistory}) is written once into an embedded PostgreSQL under
 * {@code bench/target/bench-history/}, keyed by the generator's version, size and seed, and reused by later runs.
 * The benchmark boots exactly what {@code tern-server replay} boots ({@link ReplayApplication}) on it, then:
 * <ol>
 *   <li><b>scan</b> (baseline): a plain JDBC scan of the event table in global order, every payload and its metadata
 *       deserialised with the server's event serializer, nothing else;</li>
 *   <li><b>replay</b>: {@link ReadModelRebuild#rebuild} of every projection, the code path of {@code tern-server replay},
 *       audit trail included (its rows are deleted first so each run writes all of them);</li>
 *   <li><b>replay-kept</b> (only when asked for): the same rebuild again over the trail the first one wrote, as a
 *       second {@code tern-server replay} of a server's data runs it (the audit rows staged and merged, the indexes
 *       kept);</li>
 *   <li><b>audit</b>: the query {@code GET /api/events/audit} runs ({@link AuditReads#audit}) on the biggest account
 *       with each filter, p50/p99, beside a primary-key read of one audit row; the unfiltered pages again as they
 *       were read before V230 (a count and an OFFSET walk); then the filters again without the audit indexes of
 *       V200 and V201 (dropped inside a transaction that is rolled back, so the cached history keeps them).</li>
 * </ol>
 *
 * <p>Run: {@code scripts/bench-history.sh [events] [samples]} (defaults 1,000,000 and 200); see docs/benchmarks.md.
 */
public final class HistoryBench {
    static final long SEED = 42;
    /** Indexes V200 and V201 add for the audit filters; the "before" rows of the audit table run without them. */
    static final List<String> AUDIT_INDEXES = List.of("rm_audit_account_initiator_idx",
            "rm_audit_account_activity_idx", "rm_audit_account_initiator_time_idx");

    private HistoryBench() {
    }

    public static void main(String[] args) throws Exception {
        List<String> phases = List.of("scan", "replay", "audit");
        List<String> positional = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--phases=")) {
                phases = List.of(arg.substring("--phases=".length()).split(","));
            } else {
                positional.add(arg);
            }
        }
        long size = positional.size() > 0 ? Long.parseLong(positional.get(0).replace("_", "")) : 1_000_000;
        int samples = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 200;
        Path dataDir = Path.of(positional.size() > 2 ? positional.get(2) : "bench/target/bench-history")
                .resolve("fleet-v" + FleetHistory.VERSION + "-" + size + "-seed" + SEED).toAbsolutePath();
        System.out.printf(Locale.ROOT, "machine: %d cores, %s %s, java %s, max heap %d MiB%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        try (ConfigurableApplicationContext context = boot(dataDir)) {
            History history = History.of(context, dataDir, size);
            System.out.printf(Locale.ROOT, "history: %,d events in %s%n%n", history.events(), dataDir);

            Rate scan = null;
            if (phases.contains("scan")) {
                scan = scan(context, history.events());
            }
            if (phases.contains("replay")) {
                Rate replay = replay(context, true);
                if (scan != null) {
                    printRates(scan, "replay into every read model", replay);
                }
            }
            if (phases.contains("replay-kept")) {
                Rate kept = replay(context, false);
                if (scan != null) {
                    printRates(scan, "replay over the audit trail already written", kept);
                }
            }
            if (phases.contains("audit")) {
                AuditPageBench.run(context, samples, AUDIT_INDEXES);
            }
        }
    }

    private static void printRates(Rate scan, String what, Rate replay) {
        System.out.printf(Locale.ROOT, "%n| phase | events | seconds | events/s |%n|---|---:|---:|---:|%n");
        System.out.printf(Locale.ROOT, "| baseline: JDBC scan + deserialise | %,d | %.1f | %,.0f |%n",
                scan.events(), scan.seconds(), scan.perSecond());
        System.out.printf(Locale.ROOT, "| %s | %,d | %.1f | %,.0f |%n", what,
                replay.events(), replay.seconds(), replay.perSecond());
        System.out.printf(Locale.ROOT, "replay ÷ scan: %.2f; target: %,d events in under 60 s%n%n",
                replay.perSecond() / scan.perSecond(), replay.events());
    }

    static ConfigurableApplicationContext boot(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        System.setProperty("axoniq.update-checker.disabled", "true");
        SpringApplication application = new SpringApplication(ReplayApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        Map<String, Object> properties = new HashMap<>(ReplayApplication.properties());
        properties.putAll(Map.of("tern.data-dir", dataDir.toString(), "logging.level.root", "WARN",
                "logging.level.dev.tern", "WARN"));
        application.setDefaultProperties(properties);
        return application.run();
    }

    /** Events per second of one phase. */
    record Rate(long events, double seconds) {
        double perSecond() {
            return events / seconds;
        }
    }

    /** The baseline: every event row read in global order and deserialised (payload and metadata), nothing more. */
    static Rate scan(ConfigurableApplicationContext context, long expected) throws Exception {
        Serializer serializer = context.getBean("eventSerializer", Serializer.class);
        DataSource dataSource = context.getBean(DataSource.class);
        var schema = AxonSchemas.eventSchema();
        long started = System.nanoTime();
        long count = 0;
        long checksum = 0;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement select = connection.prepareStatement("SELECT " + schema.globalIndexColumn() + ", "
                    + schema.payloadTypeColumn() + ", " + schema.payloadRevisionColumn() + ", "
                    + schema.payloadColumn() + ", " + schema.metaDataColumn() + " FROM " + schema.domainEventTable()
                    + " ORDER BY " + schema.globalIndexColumn())) {
                select.setFetchSize(1_000);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        Object payload = serializer.deserialize(new SimpleSerializedObject<>(rows.getBytes(4),
                                byte[].class, rows.getString(2), rows.getString(3)));
                        MetaData metaData = serializer.deserialize(new SimpleSerializedObject<>(rows.getBytes(5),
                                byte[].class, MetaData.class.getName(), null));
                        checksum += payload.hashCode() ^ metaData.size() ^ rows.getLong(1);
                        count++;
                    }
                }
            }
            connection.rollback();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        if (count != expected) {
            throw new IllegalStateException("scan read " + count + " events, the store holds " + expected);
        }
        System.out.printf(Locale.ROOT, "scan: %,d events in %.1f s (checksum %x)%n", count, seconds, checksum);
        return new Rate(count, seconds);
    }

    /**
     * The rebuild of every projection, as {@code tern-server replay} runs it: with the audit trail written anew
     * ({@code emptyAudit}), or over the one there.
     */
    static Rate replay(ConfigurableApplicationContext context, boolean emptyAudit) {
        JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
        // A rebuild keeps audit rows it finds (their ids are event positions); without them it writes every one,
        // as the first replay of a history does.
        if (emptyAudit) {
            jdbc.execute("TRUNCATE rm_audit");
        }
        System.out.printf(Locale.ROOT, "replay %s:%n", emptyAudit ? "into an empty audit trail"
                : "over the audit trail there (" + jdbc.queryForObject("SELECT count(*) FROM rm_audit", Long.class)
                + " rows)");
        ReadModelRebuild rebuild = context.getBean(ReadModelRebuild.class);
        long[] lastReport = {System.nanoTime()};
        ReadModelRebuild.Result result = rebuild.rebuild(Optional.empty(), progress -> {
            long now = System.nanoTime();
            if (now - lastReport[0] > 10_000_000_000L) {
                lastReport[0] = now;
                System.out.printf(Locale.ROOT, "replay: %,d of %,d events, %,.0f events/s%n", progress.done(),
                        progress.total(), progress.eventsPerSecond());
            }
        });
        double seconds = result.elapsed().toNanos() / 1e9;
        System.out.printf(Locale.ROOT, "replay: %,d events into %s in %.1f s%n", result.events(),
                result.projections(), seconds);
        return new Rate(result.events(), seconds);
    }

    /** The generated history in the event store, written now or by an earlier run. */
    record History(long events) {
        private static final String COMPLETE = "history-complete";

        static History of(ConfigurableApplicationContext context, Path dataDir, long size) throws IOException {
            JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
            Path marker = dataDir.resolve(COMPLETE);
            if (!Files.exists(marker)) {
                Long present = jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
                if (present != null && present > 0) {
                    throw new IllegalStateException(dataDir + " holds a history that was not finished; delete it");
                }
                write(context, size, SEED);
                Files.writeString(marker, "generator version " + FleetHistory.VERSION + "\n");
            }
            Long events = jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
            return new History(events == null ? 0 : events);
        }

    }

    /**
     * Writes a history of at least {@code size} events into the context's event store (Axon's own append, a batch
     * per transaction) and puts the read-model processor's token at its head; prints progress and the mix.
     */
    static FleetHistory.Summary write(ConfigurableApplicationContext context, long size, long seed) {
        EventStorageEngine storage = context.getBean(EventStorageEngine.class);
        TransactionTemplate transactions = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
        long started = System.nanoTime();
        long[] written = {0};
        FleetHistory.Summary summary = FleetHistory.generate(size, seed, batch -> {
            transactions.executeWithoutResult(status -> storage.appendEvents(batch));
            written[0] += batch.size();
            if (written[0] % 100_000 < batch.size()) {
                System.out.printf(Locale.ROOT, "generate: %,d events, %.0f s%n", written[0],
                        (System.nanoTime() - started) / 1e9);
            }
        });
        markProcessed(context);
        System.out.printf(Locale.ROOT, "generate: %,d events from %,d commands (%,d refused) in %.1f s, %s to %s%n",
                summary.events(), summary.commands(), summary.rejected(), (System.nanoTime() - started) / 1e9,
                summary.first(), summary.last());
        summary.eventsByType().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> System.out.printf(Locale.ROOT, "  %-34s %,9d%n", e.getKey(), e.getValue()));
        return summary;
    }

    /**
     * Puts the read-model processor's token at the head of the store, as if it had processed the whole history:
     * a rebuild replays up to where that processor stands.
     */
    static void markProcessed(ConfigurableApplicationContext context) {
        TokenStore tokens = context.getBean(TokenStore.class);
        JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
        TransactionTemplate transactions = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
        Long head = jdbc.queryForObject("SELECT max(global_index) FROM domain_event_entry", Long.class);
        GapAwareTrackingToken token = GapAwareTrackingToken.newInstance(head == null ? -1 : head, List.of());
        transactions.executeWithoutResult(status -> {
            if (tokens.fetchSegments(QuerySideConfiguration.READ_MODEL).length == 0) {
                tokens.initializeTokenSegments(QuerySideConfiguration.READ_MODEL, 1, token);
            } else {
                tokens.fetchToken(QuerySideConfiguration.READ_MODEL, 0);
                tokens.storeToken(token, QuerySideConfiguration.READ_MODEL, 0);
                tokens.releaseClaim(QuerySideConfiguration.READ_MODEL, 0);
            }
        });
    }
}

package dev.tern.bench.history;

import dev.tern.query.audit.AuditQuery;
import dev.tern.query.audit.AuditReads;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit page at a million events: {@link AuditReads#audit} (what {@code GET /api/events/audit} runs: a count and
 * one page, newest first) on the account with the most audit rows, per filter, p50/p99 over many samples with
 * varying arguments. Baseline in the same run: a primary-key read of one audit row through the same pool.
 */
final class AuditPageBench {
    private static final int WARM_UP = 20;
    private static final int PAGE = 100;

    private AuditPageBench() {
    }

    /** One filter of the audit page: a query per sample number. */
    record Filter(String name, IntFunction<AuditQuery> query) {
    }

    static void run(ConfigurableApplicationContext context, int samples, List<String> droppableIndexes) {
        JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
        AuditReads reads = context.getBean(AuditReads.class);
        // A replay has just written every row: statistics and the visibility map as autovacuum leaves a table that
        // has settled, so the plans and index-only scans are those of a running server, not of a fresh bulk load.
        jdbc.execute("VACUUM ANALYZE rm_audit");
        Map<String, Object> biggest = jdbc.queryForMap("SELECT account_id, count(*) AS n, min(occurred_at) AS first, "
                + "max(occurred_at) AS last FROM rm_audit GROUP BY account_id ORDER BY n DESC LIMIT 1");
        String accountId = (String) biggest.get("account_id");
        long rows = ((Number) biggest.get("n")).longValue();
        Instant first = ((java.sql.Timestamp) biggest.get("first")).toInstant();
        Instant last = ((java.sql.Timestamp) biggest.get("last")).toInstant();
        Long total = jdbc.queryForObject("SELECT count(*) FROM rm_audit", Long.class);
        // the user behind the most entries (an admin), and one with few (a user who mostly signs in)
        String busyUser = jdbc.queryForObject("SELECT a.initiator_id FROM rm_audit a JOIN rm_users u "
                + "ON u.id = a.initiator_id WHERE a.account_id = ? GROUP BY a.initiator_id ORDER BY count(*) DESC "
                + "LIMIT 1", String.class, accountId);
        String quietUser = jdbc.queryForObject("SELECT a.initiator_id FROM rm_audit a JOIN rm_users u "
                + "ON u.id = a.initiator_id WHERE a.account_id = ? GROUP BY a.initiator_id ORDER BY count(*) "
                + "LIMIT 1", String.class, accountId);
        System.out.printf(Locale.ROOT, "audit: %,d rows in all; account %s has %,d, %s to %s%n", total, accountId,
                rows, first, last);

        Random random = new Random(7);
        Duration span = Duration.between(first, last);
        IntFunction<Instant> someInstant = i -> first.plusMillis((long) (random.nextDouble() * span.toMillis()));
        List<Filter> filters = List.of(
                new Filter("newest page, no filter", i -> query(null, null, null, null, 0)),
                new Filter("by user (busiest admin)", i -> query(null, null, busyUser, null, 0)),
                new Filter("by user (quietest user)", i -> query(null, null, quietUser, null, 0)),
                new Filter("by activity code, common (peer.rename)", i -> query(null, null, null, "peer.rename", 0)),
                new Filter("by activity code, rare (setupkey.revoke)", i -> query(null, null, null, "setupkey.revoke",
                        0)),
                new Filter("by time range (one day)", i -> {
                    Instant from = someInstant.apply(i);
                    return query(from, from.plus(Duration.ofDays(1)), null, null, 0);
                }),
                new Filter("by time range (30 days) and user", i -> {
                    Instant from = someInstant.apply(i);
                    return query(from, from.plus(Duration.ofDays(30)), busyUser, null, 0);
                }),
                new Filter("deep page (offset 40-60 % of the account)", i -> query(null, null, null, null,
                        (int) (rows * (0.4 + 0.2 * random.nextDouble())))),
                new Filter("deep page by user (offset 1,000-2,000)", i -> query(null, null, busyUser, null,
                        1_000 + random.nextInt(1_000))));

        List<Long> ids = jdbc.queryForList("SELECT global_index FROM rm_audit WHERE sub = 0 ORDER BY random() "
                + "LIMIT 1000", Long.class);
        long[] baseline = measure(samples, i -> jdbc.queryForList("SELECT meta FROM rm_audit WHERE global_index = ? "
                + "AND sub = 0", String.class, ids.get(i % ids.size())));

        System.out.printf(Locale.ROOT, "%n| filter (page of %d, with its count) | matching rows | p50 ms | p99 ms |"
                + " p99 ÷ baseline p99 |%n|---|---:|---:|---:|---:|%n", PAGE);
        List<long[]> with = new ArrayList<>();
        for (Filter filter : filters) {
            long[] nanos = measure(samples, i -> reads.audit(accountId, filter.query().apply(i)));
            with.add(nanos);
            long matching = reads.audit(accountId, filter.query().apply(0)).total();
            System.out.printf(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %.1f |%n", filter.name(), matching,
                    ms(nanos, 0.50), ms(nanos, 0.99), ms(nanos, 0.99) / ms(baseline, 0.99));
        }
        System.out.printf(Locale.ROOT, "| baseline: one audit row by primary key | 1 | %.2f | %.2f | 1.0 |%n",
                ms(baseline, 0.50), ms(baseline, 0.99));

        if (droppableIndexes.isEmpty()) {
            return;
        }
        // Before V200 and V201: the same filters without their indexes, dropped in a transaction that is rolled back. The
        // reads run on the transaction's connection (JdbcTemplate joins it), so nobody else waits on the lock.
        TransactionTemplate transaction = new TransactionTemplate(context.getBean(PlatformTransactionManager.class));
        transaction.executeWithoutResult(status -> {
            droppableIndexes.forEach(index -> jdbc.execute("DROP INDEX " + index));
            System.out.printf(Locale.ROOT, "%nwithout %s (before V200 and V201):%n%n| filter | p50 ms | p99 ms | p99 with "
                    + "÷ without |%n|---|---:|---:|---:|%n", String.join(", ", droppableIndexes));
            for (int f = 0; f < filters.size(); f++) {
                Filter filter = filters.get(f);
                long[] nanos = measure(Math.max(WARM_UP, samples / 4), i -> reads.audit(accountId,
                        filter.query().apply(i)));
                System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", filter.name(), ms(nanos, 0.50),
                        ms(nanos, 0.99), ms(with.get(f), 0.99) / ms(nanos, 0.99));
            }
            status.setRollbackOnly();
        });
    }

    private static AuditQuery query(Instant from, Instant to, String initiator, String activityCode, int offset) {
        return new AuditQuery(from, to, initiator, null, activityCode, offset, PAGE);
    }

    /** Nanoseconds of each of {@code samples} calls, sorted, after {@value #WARM_UP} unmeasured ones. */
    private static long[] measure(int samples, IntFunction<?> call) {
        for (int i = 0; i < WARM_UP; i++) {
            call.apply(i);
        }
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
            long started = System.nanoTime();
            call.apply(i);
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double ms(long[] sortedNanos, double quantile) {
        int index = (int) Math.ceil(quantile * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, index))] / 1e6;
    }
}

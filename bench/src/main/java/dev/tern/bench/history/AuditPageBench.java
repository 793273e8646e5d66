package dev.tern.bench.history;

import dev.tern.query.audit.AuditEntry;
import dev.tern.query.audit.AuditPage;
import dev.tern.query.audit.AuditQuery;
import dev.tern.query.audit.AuditReads;
import dev.tern.query.jdbc.Json;
import dev.tern.query.jdbc.Rows;
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
 * The audit page at a million events: {@link AuditReads#audit} (what {@code GET /api/events/audit} runs: a total and
 * one page, newest first) on the account with the most audit rows, per filter, p50/p99 over many samples with
 * varying arguments. Baseline in the same run: a primary-key read of one audit row through the same pool. Then the
 * unfiltered pages read the way they were before V230 (count and OFFSET walk), and the filters without the indexes
 * of V200 and V201.
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
        if (!Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT FROM rm_audit)", Boolean.class))) {
            // a generated history holds events only: the audit rows are written by a replay
            throw new IllegalStateException("rm_audit is empty: run the replay phase first (--phases=replay,audit)");
        }
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
                new Filter("oldest pages (offset 95-100 % of the account)", i -> query(null, null, null, null,
                        (int) (rows * (0.95 + 0.05 * random.nextDouble())))),
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

        // Before V230 the unfiltered page was the count and OFFSET walk the filtered pages still are: the same
        // unfiltered queries that way, on the same data, right after.
        System.out.printf(Locale.ROOT, "%nunfiltered pages as a count and an OFFSET walk (before V230):%n%n| filter |"
                + " p50 ms | p99 ms | p99 now ÷ before |%n|---|---:|---:|---:|%n");
        for (int f = 0; f < filters.size(); f++) {
            Filter filter = filters.get(f);
            if (!unfiltered(filter.query().apply(0))) {
                continue;
            }
            for (int i = 0; i < 5; i++) {
                AuditQuery query = filter.query().apply(i);
                if (!reads.audit(accountId, query).equals(offsetWalk(jdbc, accountId, query))) {
                    throw new IllegalStateException(filter.name() + ": the page by account_seq differs from the "
                            + "OFFSET walk at offset " + query.offset());
                }
            }
            long[] nanos = measure(samples, i -> offsetWalk(jdbc, accountId, filter.query().apply(i)));
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", filter.name(), ms(nanos, 0.50),
                    ms(nanos, 0.99), ms(with.get(f), 0.99) / ms(nanos, 0.99));
        }

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

    private static boolean unfiltered(AuditQuery query) {
        return query.from() == null && query.to() == null && query.initiatorId() == null
                && query.targetId() == null && query.activityCode() == null;
    }

    /**
     * The unfiltered page as it was read before V230 (the baseline of the unfiltered rows): every key of the account
     * counted for the total, and the page's keys found by skipping the offset in the account's index.
     */
    private static AuditPage offsetWalk(JdbcTemplate jdbc, String accountId, AuditQuery query) {
        Long total = jdbc.queryForObject("SELECT COUNT(*) FROM rm_audit WHERE account_id = ?", Long.class, accountId);
        List<AuditEntry> entries = jdbc.query("""
                SELECT a.global_index, a.sub, a.occurred_at, a.activity, a.activity_code, a.initiator_id,
                       a.initiator_name, a.initiator_email, a.target_id, a.meta
                FROM (SELECT global_index, sub FROM rm_audit WHERE account_id = ?
                      ORDER BY global_index DESC, sub DESC LIMIT ? OFFSET ?) page
                JOIN rm_audit a ON a.global_index = page.global_index AND a.sub = page.sub
                ORDER BY a.global_index DESC, a.sub DESC""", (rs, i) -> new AuditEntry(rs.getInt(2) == 0
                ? rs.getString(1) : rs.getString(1) + "-" + rs.getInt(2), Rows.instant(rs, 3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                Json.readStringMap(rs.getString(10))),
                accountId, query.limit(), query.offset());
        return new AuditPage(entries, total == null ? 0 : total);
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

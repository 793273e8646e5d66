package dev.tern.query.history;

import dev.tern.query.dns.DnsProjection;
import dev.tern.query.groups.GroupProjection;
import dev.tern.query.identity.IdentityProviderProjection;
import dev.tern.query.networks.NetworkProjection;
import dev.tern.query.peers.PeerProjection;
import dev.tern.query.routes.RouteProjection;
import dev.tern.query.setupkeys.SetupKeyProjection;
import dev.tern.query.users.UserProjection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The read model as it stood at an instant, for the ordinary reads: inside one transaction that is always rolled
 * back, every read table is shadowed by an empty temporary table of the same shape (PostgreSQL looks up
 * {@code pg_temp} before the live tables' schema), the live projections replay the account's events up to the
 * instant into them, and then the caller's code runs. So an as-of answer comes from the very projection and read code, and
 * JSON building, that the live answer does: the shapes cannot drift apart.
 *
 * <p>Shadowed: every {@code rm_*} table but the audit trail (its reads are not point-in-time), {@code peer_status}
 * (connection state is not history: every peer reads as not connected) and {@code token_usage}. Nothing is ever
 * written outside the temporary tables, and the rollback drops them. The work is bounded by one account's events;
 * {@link #STATEMENT_TIMEOUT} bounds each statement.
 *
 * <p>The server answers as-of reads from the events folded in memory ({@link AccountSnapshot}); this class is the
 * reference they are held to (the tests and the benchmark compare both ways, byte for byte): the real projections,
 * the real reads.
 */
@Component
public class ReadModelAt {
    private static final Logger log = LoggerFactory.getLogger(ReadModelAt.class);

    /** Bounds each statement of an as-of read, so one request cannot hold a connection for long. */
    static final String STATEMENT_TIMEOUT = "10s";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final List<AnnotationEventHandlerAdapter> projections;
    private final Map<String, List<String>> shadowedTables = new ConcurrentHashMap<>();
    private final LongAdder readsStarted = new LongAdder();

    public ReadModelAt(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, UserProjection users,
                       SetupKeyProjection setupKeys, GroupProjection groups, PeerProjection peers,
                       RouteProjection routes, NetworkProjection networks, DnsProjection dns,
                       IdentityProviderProjection identity) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        // Each event's rows are independent of the order the projections see it in (the live processor's own order
        // is Spring's bean order); the audit projection is left out, its reads are not point-in-time.
        this.projections = List.of(users, setupKeys, groups, peers, routes, networks, dns, identity).stream()
                .map(AnnotationEventHandlerAdapter::new).toList();
    }

    /** Runs {@code reads} against the read model as the events made it; nothing of it outlives the call. */
    public <T> T read(List<? extends EventMessage<?>> events, Supplier<T> reads) {
        readsStarted.increment();
        return transactions.execute(status -> {
            status.setRollbackOnly();
            long began = System.nanoTime();
            jdbc.execute("SET LOCAL statement_timeout = '" + STATEMENT_TIMEOUT + "'");
            String schema = jdbc.queryForObject("SELECT current_schema()", String.class);
            List<String> tables = shadowedTables(schema);
            // one round trip for all of them
            jdbc.execute(tables.stream().map(table -> "CREATE TEMPORARY TABLE " + table + " (LIKE \"" + schema
                    + "\"." + table + " INCLUDING DEFAULTS INCLUDING INDEXES) ON COMMIT DROP")
                    .collect(Collectors.joining(";\n")));
            // PostgreSQL replans a cached statement when the search path changes, and creating this session's
            // temporary schema changes it; but on a connection whose temporary schema outlived an earlier
            // transaction (a rebuild's staging table leaves one) the twins appear without any change of path, and a
            // read the driver prepared there before would go on reading the live table the twin shadows.
            jdbc.execute("DISCARD PLANS");
            long created = System.nanoTime();
            for (EventMessage<?> event : events) {
                for (AnnotationEventHandlerAdapter projection : projections) {
                    if (projection.canHandle(event)) {
                        try {
                            projection.handle(event);
                        } catch (RuntimeException e) {
                            throw e;
                        } catch (Exception e) { // handle() declares Exception; the projections throw none
                            throw new IllegalStateException("replaying " + event.getPayloadType().getSimpleName()
                                    + " into a point-in-time read model failed", e);
                        }
                    }
                }
            }
            long replayed = System.nanoTime();
            T result = reads.get();
            if (log.isDebugEnabled()) {
                log.debug("as-of read: {} tables created in {} ms, {} events replayed in {} ms, read in {} ms",
                        tables.size(), (created - began) / 1_000_000, events.size(), (replayed - created) / 1_000_000,
                        (System.nanoTime() - replayed) / 1_000_000);
            }
            return result;
        });
    }

    /** How many reads have built the read model as of an instant so far: for tests, which requests need none. */
    public long readsStarted() {
        return readsStarted.sum();
    }

    /** The read tables of the schema the live reads use (the first of the search path); fixed once migrated. */
    private List<String> shadowedTables(String schema) {
        return shadowedTables.computeIfAbsent(schema, this::readShadowedTables);
    }

    private List<String> readShadowedTables(String schema) {
        return jdbc.queryForList("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = ? AND table_type = 'BASE TABLE'
                  AND ((table_name LIKE 'rm\\_%' AND table_name <> 'rm_audit')
                       OR table_name IN ('peer_status', 'token_usage'))
                ORDER BY table_name""", String.class, schema);
    }
}

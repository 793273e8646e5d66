package dev.tern.api.outage;

import io.netty.util.concurrent.DefaultThreadFactory;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Whether PostgreSQL answers, as a probe sees it every {@link #PROBE_INTERVAL}: {@code SELECT 1} on a connection
 * of its own, bounded by {@link #PROBE_TIMEOUT} on a thread of its own, so a hung server (SIGSTOP, a dead network
 * path that drops packets) is noticed as fast as a refused connection. A request that hits a database failure
 * makes the probe run at once.
 * <p>
 * While it is down the REST API answers 503 without touching the pool, so requests neither pile up on Tomcat's
 * threads nor wait for connection timeouts, and health says DOWN at once.
 */
public final class DatabaseAvailability implements SmartLifecycle {
    static final Duration PROBE_INTERVAL = Duration.ofMillis(250);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(DatabaseAvailability.class);

    /** Since when the database is unavailable, and the first reason seen. */
    public record Outage(Instant since, String reason) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final List<Runnable> recoveryListeners = new CopyOnWriteArrayList<>();
    private volatile Outage outage;
    private volatile ScheduledExecutorService scheduler;
    private ExecutorService prober;
    /** The probe still running from an earlier tick (a hung one); never more than one at a time. */
    private Future<?> probeInFlight;
    private long probeStartedNanos;
    /** The probe's own connection (only touched on the probe-call thread). */
    private volatile Connection probeConnection;

    public DatabaseAvailability(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public boolean isAvailable() {
        return outage == null;
    }

    public Optional<Outage> outage() {
        return Optional.ofNullable(outage);
    }

    /** Called after the database answers again following an outage (on the probe's thread). */
    public void onRecovery(Runnable listener) {
        recoveryListeners.add(listener);
    }

    /**
     * A caller saw this failure; if it looks like the database is unreachable, the probe runs now instead of at its
     * next tick. The probe decides, not the caller: a pool that is merely busy times out the same way as a dead
     * server, and must not turn the whole API to 503.
     */
    public void report(Throwable failure) {
        ScheduledExecutorService probing = scheduler;
        if (probing != null && DatabaseFailures.isUnavailable(failure)) {
            try {
                probing.execute(this::probeSafely);
            } catch (RejectedExecutionException e) {
                // stopping
            }
        }
    }

    /**
     * {@code SELECT 1} on a connection of the probe's own, outside the pool when the pool is Hikari with a JDBC URL
     * (so a pool busy with a load peak is not taken for an outage), else on a pooled one.
     */
    private void askDatabase() throws SQLException {
        if (!(dataSource instanceof HikariDataSource hikari) || hikari.getJdbcUrl() == null) {
            try (Connection connection = dataSource.getConnection()) {
                selectOne(connection);
            }
            return;
        }
        try {
            if (probeConnection == null || probeConnection.isClosed()) {
                Properties properties = new Properties();
                properties.putAll(hikari.getDataSourceProperties());
                if (hikari.getUsername() != null) {
                    properties.setProperty("user", hikari.getUsername());
                }
                if (hikari.getPassword() != null) {
                    properties.setProperty("password", hikari.getPassword());
                }
                // bounded so that a hung server cannot hold the probe thread long (the tick judges by time anyway)
                properties.setProperty("connectTimeout", "2");
                properties.setProperty("loginTimeout", "2");
                properties.setProperty("socketTimeout", "5");
                properties.setProperty("ApplicationName", "tern-server database probe");
                probeConnection = DriverManager.getConnection(hikari.getJdbcUrl(), properties);
            }
            selectOne(probeConnection);
        } catch (SQLException | RuntimeException e) {
            closeProbeConnection();
            throw e;
        }
    }

    private static void selectOne(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout((int) Math.max(1, PROBE_TIMEOUT.toSeconds()));
            statement.execute("SELECT 1");
        }
    }

    private void closeProbeConnection() {
        Connection connection = probeConnection;
        probeConnection = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // broken anyway
            }
        }
    }

    /** One probe tick; runs on the scheduler thread only. */
    void probe() {
        if (probeInFlight != null && !probeInFlight.isDone()) {
            if (System.nanoTime() - probeStartedNanos > PROBE_TIMEOUT.toNanos()) {
                markDown("no answer from PostgreSQL within " + PROBE_TIMEOUT.toMillis() + " ms");
            }
            return;
        }
        probeStartedNanos = System.nanoTime();
        probeInFlight = prober.submit(() -> {
            askDatabase();
            return null;
        });
        try {
            probeInFlight.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            markUp();
        } catch (TimeoutException e) {
            markDown("no answer from PostgreSQL within " + PROBE_TIMEOUT.toMillis() + " ms");
        } catch (ExecutionException e) {
            markDown(describe(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void markDown(String reason) {
        Outage began = null;
        synchronized (this) {
            if (outage == null) {
                outage = began = new Outage(clock.instant(), reason);
            }
        }
        if (began != null) {
            log.warn("PostgreSQL is unavailable ({}); the REST API answers 503 until it is back", reason);
        }
    }

    private void markUp() {
        Outage ended;
        synchronized (this) {
            ended = outage;
            outage = null;
        }
        if (ended != null) {
            log.info("PostgreSQL is available again after {} s",
                    Duration.between(ended.since(), clock.instant()).toMillis() / 1000.0);
            for (Runnable listener : recoveryListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    log.warn("recovery action failed: {}", e.toString());
                }
            }
        }
    }

    /** The failure's innermost message, on one line (connection errors never carry the password). */
    static String describe(Throwable failure) {
        Throwable root = failure;
        for (int i = 0; i < 32 && root.getCause() != null && root.getCause() != root; i++) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ");
    }

    @Override
    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("db-probe", true));
        prober = Executors.newSingleThreadExecutor(new DefaultThreadFactory("db-probe-call", true));
        scheduler.scheduleWithFixedDelay(this::probeSafely, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void probeSafely() {
        try {
            probe();
        } catch (RuntimeException e) {
            log.warn("database probe failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void stop() {
        if (scheduler == null) {
            return;
        }
        scheduler.shutdownNow();
        prober.shutdownNow();
        closeProbeConnection();
        scheduler = null;
        prober = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}

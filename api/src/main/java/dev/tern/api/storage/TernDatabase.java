package dev.tern.api.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;

import javax.sql.DataSource;
import java.util.Optional;

/**
 * The database tern-server runs on: the external PostgreSQL named by TERN_DATABASE_URL, or else the embedded one
 * under the data directory. Owns the connection pool and, when embedded, the PostgreSQL server; closing it closes
 * both in that order.
 */
public final class TernDatabase implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Optional<EmbeddedPostgresServer> embedded;
    private final String description;

    private TernDatabase(HikariDataSource dataSource, Optional<EmbeddedPostgresServer> embedded, String description) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.description = description;
    }

    /**
     * Connects, starting the embedded server first when no external database is configured.
     *
     * @param lock proof that this process owns the data directory (the embedded server must not be shared)
     */
    public static TernDatabase open(TernSettings settings, DataDirectoryLock lock) {
        if (settings.storage().database().isPresent()) {
            TernSettings.ExternalDatabase db = settings.storage().database().get();
            HikariConfig config = poolConfig(db.jdbcUrl());
            if (!db.user().isEmpty()) {
                config.setUsername(db.user());
            }
            if (!db.password().isEmpty()) {
                config.setPassword(db.password());
            }
            return new TernDatabase(connect(config, settings.storage().description()), Optional.empty(),
                    settings.storage().description());
        }
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(lock.dataDir());
        try {
            HikariConfig config = poolConfig(server.jdbcUrl());
            config.setUsername(EmbeddedPostgresServer.USER);
            config.setPassword(server.password());
            String description = "embedded PostgreSQL on localhost:" + server.port() + " (data in "
                    + server.dataDirectory() + ")";
            return new TernDatabase(connect(config, description), Optional.of(server), description);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static HikariConfig poolConfig(String jdbcUrl) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("tern");
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(16);
        // A database outage must show as a fast failure, not as requests hanging (see dev.tern.api.outage): give
        // up on a connection after 1.5 s (Hikari's default is 30 s), check an idle one in 0.5 s, and let the
        // driver abandon a connect or a read that gets no answer (a hung server) instead of waiting forever.
        config.setConnectionTimeout(1_500);
        config.setValidationTimeout(500);
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "15");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        // Fail at start-up, not at the first request, when the database cannot be reached.
        config.setInitializationFailTimeout(10_000);
        return config;
    }

    private static HikariDataSource connect(HikariConfig config, String description) {
        try {
            return new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new StartupFailure("cannot connect to " + description + ": "
                    + String.valueOf(cause.getMessage()).replaceAll("\\s+", " "), e);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public boolean isEmbedded() {
        return embedded.isPresent();
    }

    /** Where the data is, for logs: never contains a password. */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        try {
            dataSource.close();
        } finally {
            embedded.ifPresent(EmbeddedPostgresServer::close);
        }
    }
}

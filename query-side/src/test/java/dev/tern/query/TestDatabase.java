package dev.tern.query;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.Flyway;

/** One embedded PostgreSQL server per test JVM; every caller gets a database of its own on it. */
public final class TestDatabase {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestDatabase() {
    }

    /** A new, empty database (no migrations applied), pooled. */
    public static synchronized HikariDataSource fresh() {
        String name = "query_side_" + DATABASES.incrementAndGet();
        try (Connection connection = server().getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(server().getJdbcUrl("postgres", name));
        dataSource.setUsername("postgres");
        dataSource.setMaximumPoolSize(8);
        return dataSource;
    }

    /** A new database with this module's Flyway migrations applied. */
    public static HikariDataSource migrated() {
        HikariDataSource dataSource = fresh();
        Flyway.configure().dataSource(dataSource).load().migrate();
        return dataSource;
    }

    private static EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
            EmbeddedPostgres started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is going away; the server's own cleanup removes the data directory
                }
            }));
        }
        return server;
    }

}

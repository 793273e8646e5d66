package dev.tern.api.process;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A PostgreSQL of its own (zonky's binaries, a data directory this class keeps) that tern-server processes reach
 * through TERN_DATABASE_URL, and that a test can stop and start again on the same port and data: an operator's
 * database server, restarted under a running tern-server.
 */
final class ExternalPostgres implements AutoCloseable {
    static final String DATABASE = "tern_faults";
    private static final String USER = "tern";
    private static final String PASSWORD = "faults-secret";

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres server;

    private ExternalPostgres(Path dataDir, int port, EmbeddedPostgres server) {
        this.dataDir = dataDir;
        this.port = port;
        this.server = server;
    }

    /** A fresh server with the role and database tern-server is given. */
    static ExternalPostgres start() throws IOException, SQLException {
        Path dataDir = Files.createTempDirectory("tern-external-pg");
        EmbeddedPostgres server = builder(dataDir, 0).start();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
            s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
        }
        return new ExternalPostgres(dataDir, server.getPort(), server);
    }

    private static EmbeddedPostgres.Builder builder(Path dataDir, int port) {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder().setDataDirectory(dataDir)
                .setCleanDataDirectory(false);
        return port == 0 ? builder : builder.setPort(port);
    }

    /** TERN_DATABASE_* for a tern-server on this database. */
    Map<String, String> env() {
        return Map.of("TERN_DATABASE_URL", "postgresql://localhost:" + port + "/" + DATABASE,
                "TERN_DATABASE_USER", USER, "TERN_DATABASE_PASSWORD", PASSWORD);
    }

    /** Stops the server (pg_ctl stop, fast: open sessions are ended), keeping its data. */
    void stop() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = null;
    }

    /** Starts it again on the same port and data directory. */
    void restart() throws IOException {
        server = builder(dataDir, port).start();
    }

    /** The first column of every row {@code sql} answers on tern-server's database, as text. */
    List<String> column(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = server.getDatabase("postgres", DATABASE).getConnection();
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /**
     * The names of the groups created in the event store, once per GroupCreated event (a name twice means a write
     * was stored twice).
     */
    List<String> groupsCreatedInTheEventStore() throws SQLException {
        return column("SELECT convert_from(payload, 'UTF8')::json->>'name' FROM domain_event_entry"
                + " WHERE payload_type = 'dev.tern.events.GroupCreated' ORDER BY global_index");
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
        try (var paths = Files.walk(dataDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
    }
}

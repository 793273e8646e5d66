package dev.tern.api.storage;

import dev.tern.api.config.TernSettings;
import dev.tern.api.support.TempDataDirInitializer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Only tern-server gets into the embedded PostgreSQL: a local account that connects to its port as the superuser
 * without the password in {@code <dataDir>/postgres.secret} is refused, and the data directory is private.
 */
class EmbeddedDatabaseAccessTest {

    private final List<Path> dataDirs = new ArrayList<>();

    @AfterEach
    void deleteDataDirs() {
        dataDirs.forEach(TempDataDirInitializer::delete);
    }

    @Test
    void connectionsWithoutThePasswordAreRefusedAndTheDataDirIsPrivate() throws Exception {
        Path dataDir = newDataDir();
        // A data dir and lock file an earlier version made with the default umask.
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dataDir.resolve("tern.lock"), "1");
        Files.setPosixFilePermissions(dataDir.resolve("tern.lock"), PosixFilePermissions.fromString("rw-r--r--"));

        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
             TernDatabase db = TernDatabase.open(settingsFor(dataDir), lock)) {
            SurvivorRows.execute(db, "CREATE TABLE probe (name text PRIMARY KEY)", "INSERT INTO probe VALUES ('tern')");
            int port = port(dataDir);

            // Localhost TCP is the only way in: no Unix socket (postmaster.pid line 5 names its directory).
            assertThat(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(4)).isBlank();
            assertThat(Path.of("/tmp", ".s.PGSQL." + port)).doesNotExist();
            for (String database : List.of("tern", "postgres", "template1")) {
                assertRefused(port, database, null);
                assertRefused(port, database, "wrong-password");
            }
            // The secret is what lets tern-server in, and nothing else knows it.
            String secret = Files.readString(dataDir.resolve("postgres.secret")).strip();
            assertThat(secret).hasSizeGreaterThanOrEqualTo(40);
            try (Connection c = connect(port, "tern", secret); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name FROM probe")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("tern");
            }
            assertThat(db.description()).doesNotContain(secret);
            // The programs tern-server runs come from the private data dir, not from a path in /tmp that another
            // local user could have prepared.
            long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"))
                    .get(0).strip());
            Path executable = Files.readSymbolicLink(Path.of("/proc", Long.toString(postmaster), "exe"));
            assertThat(executable.toString()).startsWith(dataDir.toRealPath().toString() + "/");

            assertThat(permissions(dataDir)).isEqualTo("rwx------");
            assertThat(permissions(dataDir.resolve("postgres.secret"))).isEqualTo("rw-------");
            assertThat(permissions(dataDir.resolve("tern.lock"))).isEqualTo("rw-------");
            assertThat(permissions(dataDir.resolve("postgres-binaries"))).isEqualTo("rwx------");
            assertThat(permissions(dataDir.resolve("postgres"))).isEqualTo("rwx------");
            try (Stream<Path> files = Files.walk(dataDir.resolve("postgres"))) {
                for (Path file : files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)).toList()) {
                    assertThat(permissions(file)).as("%s", file).doesNotContain("r--r").endsWith("---");
                }
            }
            assertThat(Files.readString(dataDir.resolve("postgres").resolve("pg_hba.conf")))
                    .doesNotContainPattern("(?m)^[^#]*\\btrust\\b").contains("scram-sha-256");
        }
    }

    @Test
    void trustDataDirOfAnEarlierVersionIsMigratedAndKeepsItsData() throws Exception {
        Path dataDir = newDataDir();
        Path pgData = dataDir.resolve("postgres");
        // What earlier tern-servers left: a cluster initialised by zonky with trust authentication, no secret.
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false)
                .start()) {
            try (Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE tern ENCODING 'UTF8'");
            }
            try (Connection c = old.getDatabase("postgres", "tern").getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE survivor (name text PRIMARY KEY)");
                s.execute("INSERT INTO survivor VALUES ('from-the-trust-days')");
            }
        }
        assertThat(Files.readString(pgData.resolve("pg_hba.conf"))).containsPattern("(?m)^[^#]*\\btrust\\b");
        assertThat(dataDir.resolve("postgres.secret")).doesNotExist();

        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
             TernDatabase db = TernDatabase.open(settingsFor(dataDir), lock)) {
            assertThat(SurvivorRows.names(db)).containsExactly("from-the-trust-days");
            int port = port(dataDir);
            assertRefused(port, "tern", null);
            assertRefused(port, "postgres", null);
            assertThat(permissions(dataDir.resolve("postgres.secret"))).isEqualTo("rw-------");
            assertThat(Files.readString(pgData.resolve("pg_hba.conf")))
                    .doesNotContainPattern("(?m)^[^#]*\\btrust\\b");
            SurvivorRows.execute(db, "INSERT INTO survivor VALUES ('after-migration')");
        }

        // The next start finds a migrated directory and the same secret.
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
             TernDatabase db = TernDatabase.open(settingsFor(dataDir), lock)) {
            assertThat(SurvivorRows.names(db)).containsExactly("after-migration", "from-the-trust-days");
            assertRefused(port(dataDir), "tern", null);
        }

        // A lost secret file is replaced: the superuser gets the new secret, the data stays.
        String lost = Files.readString(dataDir.resolve("postgres.secret")).strip();
        Files.delete(dataDir.resolve("postgres.secret"));
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
             TernDatabase db = TernDatabase.open(settingsFor(dataDir), lock)) {
            assertThat(SurvivorRows.names(db)).containsExactly("after-migration", "from-the-trust-days");
            String replacement = Files.readString(dataDir.resolve("postgres.secret")).strip();
            assertThat(replacement).isNotEqualTo(lost);
            assertRefused(port(dataDir), "tern", lost);
            connect(port(dataDir), "tern", replacement).close();
        }
    }

    private static void assertRefused(int port, String database, String password) {
        assertThatThrownBy(() -> connect(port, database, password).close())
                .as("connecting to %s as postgres with password %s", database, password)
                .isInstanceOf(SQLException.class)
                // 28P01: wrong password; 08004 with no password: the server demanded one (SCRAM) and the driver
                // had none to give. Either way authentication refused it, not a missing server.
                .satisfies(e -> assertThat(((SQLException) e).getSQLState() + " " + e.getMessage())
                        .matches("(28P01|28000|08004) .*(password|authentication).*"));
    }

    private static Connection connect(int port, String database, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("connectTimeout", "10");
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/" + database, properties);
    }

    /** The port the running postmaster announced in postmaster.pid (line 4), as any local user could find it. */
    private static int port(Path dataDir) throws Exception {
        return Integer.parseInt(Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(3).strip());
    }

    private static String permissions(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private Path newDataDir() {
        Path dir = TempDataDirInitializer.newDataDir();
        dataDirs.add(dir);
        return dir;
    }

    private static TernSettings settingsFor(Path dataDir) {
        return TernSettings.from(Map.of("TERN_DATA_DIR", dataDir.toString()), name -> null);
    }
}

package dev.tern.api.storage;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;
import dev.tern.api.support.TempDataDirInitializer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded PostgreSQL and the data-directory lock, in this JVM (cheaper than a child process). The
 * SIGKILL-the-server variant of the orphan case is {@link dev.tern.api.process.ServerProcessTest}.
 */
class EmbeddedDatabaseTest {

    private final List<Path> dataDirs = new ArrayList<>();

    @AfterEach
    void deleteDataDirs() {
        dataDirs.forEach(TempDataDirInitializer::delete);
    }

    private Path newDataDir() {
        Path dir = TempDataDirInitializer.newDataDir();
        dataDirs.add(dir);
        return dir;
    }

    private static TernSettings settingsFor(Path dataDir) {
        return TernSettings.from(Map.of("TERN_DATA_DIR", dataDir.toString()), name -> null);
    }

    @Test
    void dataDirectoryCanBeLockedOnlyOnceAndAgainAfterRelease() {
        Path dataDir = newDataDir();
        DataDirectoryLock first = DataDirectoryLock.acquire(dataDir);
        try {
            assertThatThrownBy(() -> DataDirectoryLock.acquire(dataDir))
                    .isInstanceOf(StartupFailure.class)
                    .hasMessageContaining("is in use by another tern-server")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid())
                    .hasMessageNotContaining("\n");
        } finally {
            first.close();
        }
        DataDirectoryLock.acquire(dataDir).close();
    }

    @Test
    void dataSurvivesRestartAndAnOrphanedPostgresIsStoppedOnNextStart() throws Exception {
        Path dataDir = newDataDir();
        TernSettings settings = settingsFor(dataDir);
        Path pgData = dataDir.resolve("postgres");

        Path pgCtl;
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
             TernDatabase db = TernDatabase.open(settings, lock)) {
            assertThat(db.isEmbedded()).isTrue();
            SurvivorRows.execute(db, "CREATE TABLE survivor (name text PRIMARY KEY)", "INSERT INTO survivor VALUES ('before')");
            long postmaster = postmasterPid(pgData);
            pgCtl = Path.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(postmaster), "exe")).getParent()
                    .toString(), "pg_ctl");
        }
        assertThat(pgData.resolve("postmaster.pid")).doesNotExist();

        // What a SIGKILLed tern-server leaves behind: its PostgreSQL still running on the data dir, no lock held.
        // As root, zonky runs PostgreSQL in a user namespace (unshare -U) because it refuses to run as root.
        Process orphanStart = new ProcessBuilder(unshareIfRoot(pgCtl.toString(), "-D", pgData.toString(),
                "-o", "-p " + freePort(), "-l", dataDir.resolve("orphan.log").toString(), "-w", "start"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(orphanStart.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(orphanStart.exitValue()).isZero();
        long orphan = postmasterPid(pgData);
        assertThat(ProcessHandle.of(orphan)).isPresent();

        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
             TernDatabase db = TernDatabase.open(settings, lock)) {
            assertThat(isRunning(orphan)).as("orphaned postmaster %s stopped", orphan).isFalse();
            assertThat(postmasterPid(pgData)).isNotEqualTo(orphan);
            SurvivorRows.execute(db, "INSERT INTO survivor VALUES ('after')");
            assertThat(SurvivorRows.names(db)).containsExactly("after", "before");
        }
    }

    @Test
    void staleStartupFileOfADeadPostmasterDoesNotBlockStart() throws Exception {
        Path dataDir = newDataDir();
        TernSettings settings = settingsFor(dataDir);
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
             TernDatabase db = TernDatabase.open(settings, lock)) {
            SurvivorRows.execute(db, "CREATE TABLE survivor (name text PRIMARY KEY)", "INSERT INTO survivor VALUES ('kept')");
        }
        // A postmaster.pid naming a live process that is not PostgreSQL (pid reuse after a reboot): this JVM.
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        Files.writeString(pidFile, ProcessHandle.current().pid() + "\n" + dataDir.resolve("postgres") + "\n");

        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
             TernDatabase db = TernDatabase.open(settings, lock)) {
            assertThat(SurvivorRows.names(db)).containsExactly("kept");
        }
        assertThat(ProcessHandle.current().isAlive()).isTrue();
    }

    @Test
    void unreachableExternalDatabaseFailsWithOneLineNamingIt() throws Exception {
        Path dataDir = newDataDir();
        int closedPort = freePort();
        TernSettings settings = TernSettings.from(Map.of("TERN_DATA_DIR", dataDir.toString(),
                "TERN_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/tern?connectTimeout=2",
                "TERN_DATABASE_USER", "tern", "TERN_DATABASE_PASSWORD", "do-not-print-me"), name -> null);
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir)) {
            assertThatThrownBy(() -> TernDatabase.open(settings, lock))
                    .isInstanceOf(StartupFailure.class)
                    .hasMessageContaining("cannot connect to jdbc:postgresql://127.0.0.1:" + closedPort)
                    .hasMessageNotContaining("do-not-print-me")
                    .hasMessageNotContaining("\n");
        }
        assertThat(dataDir.resolve("postgres")).doesNotExist();
    }

    @Test
    void externalDatabaseByUrlIsUsedInsteadOfTheEmbeddedOne() throws Exception {
        Path dataDir = newDataDir();
        // Any PostgreSQL will do as the "external" one; this one is started by the library directly.
        try (EmbeddedPostgres external = EmbeddedPostgres.builder().start()) {
            try (Connection c = external.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE ROLE tern LOGIN PASSWORD 'ext-secret'");
                s.execute("CREATE DATABASE tern_ext OWNER tern");
            }
            TernSettings settings = TernSettings.from(Map.of("TERN_DATA_DIR", dataDir.toString(),
                    "TERN_DATABASE_URL", "postgresql://localhost:" + external.getPort() + "/tern_ext",
                    "TERN_DATABASE_USER", "tern", "TERN_DATABASE_PASSWORD", "ext-secret"), name -> null);
            try (DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
                 TernDatabase db = TernDatabase.open(settings, lock)) {
                assertThat(db.isEmbedded()).isFalse();
                assertThat(db.description()).contains("localhost:" + external.getPort() + "/tern_ext")
                        .doesNotContain("ext-secret");
                try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT current_database(), current_user")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("tern_ext");
                    assertThat(rs.getString(2)).isEqualTo("tern");
                }
            }
            assertThat(dataDir.resolve("postgres")).doesNotExist();
        }
    }

    private static long postmasterPid(Path pgData) throws Exception {
        return Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).strip());
    }

    private static boolean isRunning(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String s = Files.readString(stat);
            return s.charAt(s.lastIndexOf(')') + 2) != 'Z';
        } catch (Exception e) {
            return false;
        }
    }

    private static List<String> unshareIfRoot(String... command) {
        List<String> full = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            full.addAll(List.of("unshare", "-U"));
        }
        full.addAll(List.of(command));
        return full;
    }

    static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

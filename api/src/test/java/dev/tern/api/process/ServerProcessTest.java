package dev.tern.api.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.process.TernServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * tern-server as an operator runs it: a separate JVM configured by TERN_* variables, stopped with SIGTERM, killed
 * with SIGKILL. Each JVM start costs seconds, so these tests are few and each covers a whole story.
 */
class ServerProcessTest {

    private final List<TernServerProcess> started = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();

    @AfterEach
    void leaveNoProcessBehind() {
        started.forEach(TernServerProcess::close);
        dataDirs.forEach(ServerProcessTest::stopLeftoverPostgres);
        dataDirs.forEach(TempDataDirInitializer::delete); // the servers' logs stay, next to them
    }

    @Test
    void invalidSettingStopsStartUpWithOneLineNamingTheVariable() {
        Path dataDir = newDataDir();
        TernServerProcess badPort = track(TernServerProcess.launch(dataDir, Map.of("TERN_HTTP_PORT", "abc")));
        TernServerProcess typo = track(TernServerProcess.launch(dataDir, Map.of("TERN_HTTP_PROT", "8081")));

        assertThat(badPort.awaitExit(Duration.ofSeconds(60))).isNotZero();
        assertThat(badPort.stderr().strip().lines()).singleElement().asString()
                .contains("TERN_HTTP_PORT").contains("abc").doesNotContain("Exception");
        assertThat(typo.awaitExit(Duration.ofSeconds(60))).isNotZero();
        assertThat(typo.stderr().strip().lines()).singleElement().asString()
                .contains("unknown environment variable TERN_HTTP_PROT");
        // Nothing was started or created: the check runs before Spring, the database and the lock.
        assertThat(dataDir.resolve("postgres")).doesNotExist();
    }

    @Test
    void failureAfterTheDatabaseStartedIsOneLineAndLeavesNoPostgresRunning() throws Exception {
        Path dataDir = newDataDir();
        try (ServerSocket taken = new ServerSocket(0)) {
            TernServerProcess server = track(TernServerProcess.launch(dataDir,
                    Map.of("TERN_HTTP_PORT", Integer.toString(taken.getLocalPort()))));

            assertThat(server.awaitExit(Duration.ofSeconds(180))).isNotZero();
            assertThat(server.stderr().strip().lines()).singleElement().asString()
                    .startsWith("tern-server: ")
                    .contains("REST port " + taken.getLocalPort() + " is already in use").contains("TERN_HTTP_PORT");
        }
        assertThat(dataDir.resolve("postgres").resolve("PG_VERSION")).as("the database had started").exists();
        assertThat(OrphanCheck.livePostmasterPid(dataDir.resolve("postgres"))).isEqualTo(-1);
    }

    @Test
    void secondInstanceOnTheSameDataDirIsRefusedWhileTheFirstKeepsRunning() {
        Path dataDir = newDataDir();
        TernServerProcess first = track(TernServerProcess.start(dataDir));
        assertThat(first.stdout())
                .contains("REST API listening on http://localhost:" + first.httpPort() + "/api")
                .contains("Data directory " + dataDir)
                .contains("embedded PostgreSQL");

        TernServerProcess second = track(TernServerProcess.launch(dataDir, Map.of()));

        assertThat(second.awaitExit(Duration.ofSeconds(120))).isNotZero();
        assertThat(second.stderr())
                .contains("data directory " + dataDir + " is in use by another tern-server (pid " + first.pid() + ")")
                .doesNotContain("\tat ");
        assertThat(first.isAlive()).isTrue();
        assertThat(http(first).get("/actuator/health", null).status()).isLessThan(500);
        assertThat(http(first).get("/api/groups", null).status()).isEqualTo(401);
    }

    @Test
    void restartKeepsAccountsTokensAndGroups() {
        Path dataDir = newDataDir();
        TernServerProcess server = track(TernServerProcess.start(dataDir));
        assertThat(server.stdout()).contains("Setup required").contains("/api/setup").contains("create_pat");
        TestHttp.Response setup = http(server).post("/api/setup", null, TestHttp.setupRequest("restart@tern.test"));
        assertThat(setup.status()).as("%s", setup).isEqualTo(200);
        String token = TestHttp.patFrom(setup);
        TestHttp.Response created = http(server).post("/api/groups", token, Map.of("name", "survives-restart"));
        assertThat(created.status()).as("%s", created).isEqualTo(200);
        String groupId = created.json().get("id").asText();

        server.stop();
        assertThat(dataDir.resolve("postgres").resolve("postmaster.pid"))
                .as("graceful stop shuts the embedded PostgreSQL down").doesNotExist();

        TernServerProcess restarted = track(TernServerProcess.start(dataDir));
        assertThat(restarted.stdout()).doesNotContain("Setup required");
        TestHttp.Response group = http(restarted).get("/api/groups/" + groupId, token);
        assertThat(group.status()).as("%s", group).isEqualTo(200);
        assertThat(group.json().get("name").asText()).isEqualTo("survives-restart");
        assertThat(http(restarted).post("/api/setup", null, TestHttp.setupRequest("again@tern.test")).status())
                .isBetween(400, 499);
    }

    @Test
    void crashMidWriteLosesNoAcknowledgedWrite() throws Exception {
        Path dataDir = newDataDir();
        TernServerProcess server = track(TernServerProcess.start(dataDir));
        String token = TestHttp.patFrom(http(server).post("/api/setup", null, TestHttp.setupRequest("crash@tern.test")));

        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // group id -> name
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            TestHttp http = http(server);
            for (int i = 0; !stop.get(); i++) {
                String name = "crash-" + i;
                try {
                    TestHttp.Response response = http.post("/api/groups", token, Map.of("name", name));
                    if (response.isSuccess()) {
                        acknowledged.put(response.json().get("id").asText(), name);
                    }
                } catch (RuntimeException connectionLost) {
                    return; // the server is gone: this write was never acknowledged
                }
            }
        }, "crash-writer");
        writer.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (acknowledged.size() < 20 && System.nanoTime() < deadline && writer.isAlive()) {
            Thread.sleep(20);
        }
        server.kill(); // SIGKILL while the writer is still sending
        stop.set(true);
        writer.join(Duration.ofSeconds(90).toMillis());
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(20);
        long orphan = OrphanCheck.livePostmasterPid(dataDir.resolve("postgres"));
        assertThat(orphan).as("the killed server's PostgreSQL is left running").isPositive();

        TernServerProcess restarted = track(TernServerProcess.start(dataDir));

        assertThat(restarted.stdout()).contains("stopping it").contains("Stopped orphaned PostgreSQL (pid " + orphan + ")");
        TestHttp.Response groups = http(restarted).get("/api/groups", token);
        assertThat(groups.status()).as("%s", groups).isEqualTo(200);
        Map<String, String> stored = new HashMap<>();
        for (JsonNode group : groups.json()) {
            stored.put(group.get("id").asText(), group.get("name").asText());
        }
        assertThat(stored).containsAllEntriesOf(acknowledged);
        Set<String> names = stored.values().stream().filter(n -> n.startsWith("crash-")).collect(Collectors.toSet());
        assertThat(names).hasSizeGreaterThanOrEqualTo(acknowledged.size());

        // And the recovered server takes writes again, its read model following them.
        TestHttp.Response after = http(restarted).post("/api/groups", token, Map.of("name", "after-crash"));
        assertThat(after.status()).as("%s", after).isEqualTo(200);
        TestHttp.Response read = http(restarted).get("/api/groups/" + after.json().get("id").asText(), token);
        assertThat(read.status()).as("%s", read).isEqualTo(200);
        assertThat(read.json().get("name").asText()).isEqualTo("after-crash");
    }

    private static TestHttp http(TernServerProcess server) {
        return TestHttp.forPort(server.httpPort());
    }

    private TernServerProcess track(TernServerProcess server) {
        started.add(server);
        return server;
    }

    private Path newDataDir() {
        Path dir = TempDataDirInitializer.newDataDir();
        dataDirs.add(dir);
        return dir;
    }

    /** A test that failed between SIGKILL and restart would otherwise leave PostgreSQL running. */
    private static void stopLeftoverPostgres(Path dataDir) {
        long pid = OrphanCheck.livePostmasterPid(dataDir.resolve("postgres"));
        if (pid > 0) {
            ProcessHandle.of(pid).ifPresent(p -> {
                try {
                    new ProcessBuilder("kill", "-INT", Long.toString(pid)).start().waitFor();
                    p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // best effort during clean-up
                }
            });
        }
    }

    /** Reads postmaster.pid the way an operator would check for a running server. */
    static final class OrphanCheck {
        static long livePostmasterPid(Path pgData) {
            Path pidFile = pgData.resolve("postmaster.pid");
            try {
                if (!Files.exists(pidFile)) {
                    return -1;
                }
                long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z' ? -1 : pid;
            } catch (IOException e) {
                return -1;
            } catch (RuntimeException e) {
                throw new UncheckedIOException(new IOException("unreadable " + pidFile, e));
            }
        }
    }
}

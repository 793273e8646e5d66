package dev.tern.api.process;

import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.process.TernServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded PostgreSQL dies under a running tern-server (OOM killer, a stray kill -9): tern-server restarts it
 * on the same data directory and port and serves again, without an operator.
 */
class EmbeddedPostgresRestartTest {

    private final List<TernServerProcess> started = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();

    @AfterEach
    void leaveNoProcessBehind() {
        started.forEach(TernServerProcess::close);
        for (Path dataDir : dataDirs) {
            long pid = ServerProcessTest.OrphanCheck.livePostmasterPid(dataDir.resolve("postgres"));
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            TempDataDirInitializer.delete(dataDir);
        }
    }

    @Test
    void killedPostmasterIsRestartedOnTheSamePortAndRestWorksAgain() throws Exception {
        Path dataDir = TempDataDirInitializer.newDataDir();
        dataDirs.add(dataDir);
        Path pgData = dataDir.resolve("postgres");
        TernServerProcess server = TernServerProcess.start(dataDir);
        started.add(server);
        TestHttp http = TestHttp.forPort(server.httpPort());
        String token = TestHttp.patFrom(http.post("/api/setup", null, TestHttp.setupRequest("restart@tern.test")));
        TestHttp.Response before = http.post("/api/groups", token, Map.of("name", "before-the-kill"));
        assertThat(before.status()).as("%s", before).isEqualTo(200);
        String beforeId = before.json().get("id").asText();

        long postmaster = ServerProcessTest.OrphanCheck.livePostmasterPid(pgData);
        int port = announcedPort(pgData);
        assertThat(postmaster).isPositive();
        Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(postmaster)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();

        await("tern-server reads from its database again").atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> http.get("/api/groups/" + beforeId, token).status() == 200);

        long restarted = ServerProcessTest.OrphanCheck.livePostmasterPid(pgData);
        assertThat(restarted).isPositive().isNotEqualTo(postmaster);
        assertThat(announcedPort(pgData)).as("same port as before").isEqualTo(port);
        String log = server.stdout();
        assertThat(Pattern.compile("Embedded PostgreSQL \\(pid " + postmaster + "\\) is gone").matcher(log).results()
                .count()).as("one line says the database is gone").isEqualTo(1);
        assertThat(log).contains("Embedded PostgreSQL is back on localhost:" + port + " (pid " + restarted + ")");

        // Writes work again and their read model follows.
        TestHttp.Response after = http.post("/api/groups", token, Map.of("name", "after-the-restart"));
        assertThat(after.status()).as("%s", after).isEqualTo(200);
        TestHttp.Response read = http.get("/api/groups/" + after.json().get("id").asText(), token);
        assertThat(read.status()).as("%s", read).isEqualTo(200);
        assertThat(read.json().get("name").asText()).isEqualTo("after-the-restart");

        // A graceful stop also stops the postmaster the watchdog started.
        server.stop();
        assertThat(pgData.resolve("postmaster.pid")).doesNotExist();
        assertThat(ServerProcessTest.OrphanCheck.livePostmasterPid(pgData)).isEqualTo(-1);
    }

    /** The port in postmaster.pid (line 4). */
    private static int announcedPort(Path pgData) throws Exception {
        return Integer.parseInt(Files.readAllLines(pgData.resolve("postmaster.pid")).get(3).strip());
    }
}

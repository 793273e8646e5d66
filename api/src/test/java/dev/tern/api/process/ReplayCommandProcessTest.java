package dev.tern.api.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.process.TernServerProcess;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code tern-server replay} as an operator runs it: against the data directory of a stopped server, holding no
 * port, printing progress, then the server starts again on the rebuilt tables. And the strict command line.
 */
class ReplayCommandProcessTest {
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(180);
    private final List<TernServerProcess> started = new ArrayList<>();
    private final List<Path> dataDirs = new ArrayList<>();

    @AfterEach
    void leaveNoProcessBehind() {
        started.forEach(TernServerProcess::close);
        dataDirs.forEach(TempDataDirInitializer::delete);
    }

    @Test
    void replayRebuildsWithoutOpeningPortsAndTheServerServesTheResult() throws Exception {
        Path dataDir = newDataDir();
        TernServerProcess server = track(TernServerProcess.start(dataDir));
        TestHttp http = TestHttp.forPort(server.httpPort());
        String token = TestHttp.patFrom(http.post("/api/setup", null, TestHttp.setupRequest("replay@tern.test")));
        String groupId = http.post("/api/groups", token, Map.of("name", "replayed")).json().get("id").asText();
        server.stop();

        // The REST and gRPC ports the replay is configured with are taken: binding either would fail it.
        try (ServerSocket rest = new ServerSocket(0); ServerSocket grpc = new ServerSocket(0)) {
            TernServerProcess replay = track(TernServerProcess.fromClasspath().arguments("replay")
                    .env(Map.of("TERN_HTTP_PORT", Integer.toString(rest.getLocalPort()),
                            "TERN_GRPC_PORT", Integer.toString(grpc.getLocalPort())))
                    .launch(dataDir));
            assertThat(replay.awaitExit(EXIT_TIMEOUT)).as("%s", replay.stderr()).isZero();
            assertThat(replay.stderr()).containsPattern("replay: 0/[1-9][0-9]* events \\(0%\\)")
                    .containsPattern("replay: ([1-9][0-9]*)/\\1 events \\(100%\\), [0-9]+ events/s, ETA 0s")
                    .containsPattern("replay: rebuilt audit, .*peers.* from [1-9][0-9]* events in ");
            assertThat(replay.stdout()).doesNotContain(TernServerProcess.READY_LINE);
        }

        TernServerProcess groupsOnly = track(TernServerProcess.fromClasspath()
                .arguments("replay", "--projection", "groups").launch(dataDir));
        assertThat(groupsOnly.awaitExit(EXIT_TIMEOUT)).as("%s", groupsOnly.stderr()).isZero();
        assertThat(groupsOnly.stderr()).contains("replay: rebuilt groups from");

        TernServerProcess unknown = track(TernServerProcess.fromClasspath()
                .arguments("replay", "--projection", "nope").launch(dataDir));
        assertThat(unknown.awaitExit(EXIT_TIMEOUT)).isEqualTo(2);
        assertThat(unknown.stderr().strip().lines()).last().asString()
                .isEqualTo("tern-server replay: unknown projection 'nope'; projections: dns, groups, identity, "
                        + "networks, peers, routes, setupkeys, users");

        TernServerProcess restarted = track(TernServerProcess.start(dataDir));
        TestHttp.Response group = TestHttp.forPort(restarted.httpPort()).get("/api/groups/" + groupId, token);
        assertThat(group.status()).as("%s", group).isEqualTo(200);
        assertThat(group.json().get("name").asText()).isEqualTo("replayed");
    }

    @Test
    void unknownCommandsAndOptionsAreRefusedWithTheUsageBeforeAnythingStarts() {
        Path dataDir = newDataDir();
        for (List<String> args : List.of(List.of("replya"), List.of("--server.port=1"),
                List.of("replay", "--projections", "peers"))) {
            TernServerProcess refused = track(TernServerProcess.fromClasspath()
                    .arguments(args.toArray(String[]::new)).launch(dataDir));
            assertThat(refused.awaitExit(EXIT_TIMEOUT)).as("exit of %s", args).isEqualTo(2);
            assertThat(refused.stderr()).startsWith("tern-server: unknown ").contains("usage: tern-server")
                    .contains("replay [--projection NAME]");
        }
        TernServerProcess help = track(TernServerProcess.fromClasspath().arguments("--help").launch(dataDir));
        assertThat(help.awaitExit(EXIT_TIMEOUT)).isZero();
        assertThat(help.stdout()).startsWith("usage: tern-server").contains("replay [--projection NAME]");
        assertThat(dataDir.resolve("postgres")).as("nothing was started").doesNotExist();
    }

    private TernServerProcess track(TernServerProcess process) {
        started.add(process);
        return process;
    }

    private Path newDataDir() {
        Path dir = TempDataDirInitializer.newDataDir();
        dataDirs.add(dir);
        return dir;
    }
}

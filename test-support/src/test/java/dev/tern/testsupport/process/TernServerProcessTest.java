package dev.tern.testsupport.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the launcher hands tern-server: the command line and the environment. A shell wrapper stands in for the
 * server (it receives the java command line as its arguments), records both and prints the ready line.
 */
class TernServerProcessTest {
    @TempDir
    Path dir;

    @Test
    void aClasspathServerGetsItsDataDirFreePortsAndNoStunUnlessTheTestSetsThem() throws Exception {
        Path dataDir = dir.resolve("data");
        TernServerProcess server = recording(TernServerProcess.fromClasspath()
                .env(Map.of("TERN_GRPC_PORT", "4711", "TERN_EXTRA", "x")), dataDir).awaitReady();
        server.awaitExit(Duration.ofSeconds(30));

        Map<String, String> env = recordedEnvironment();
        assertThat(env).containsEntry("TERN_DATA_DIR", dataDir.toString())
                .containsEntry("TERN_GRPC_PORT", "4711")
                .containsEntry("TERN_STUN_PORT", "off")
                .containsEntry("TERN_EXTRA", "x")
                .containsEntry("AXONIQ_UPDATE_CHECKER_DISABLED", "true");
        assertThat(Integer.parseInt(env.get("TERN_HTTP_PORT"))).isPositive().isEqualTo(server.httpPort());
        assertThat(Integer.parseInt(env.get("TERN_SIGNAL_PORT"))).isPositive();
        assertThat(Integer.parseInt(env.get("TERN_RELAY_PORT"))).isPositive();
        assertThat(server.grpcPort()).isEqualTo(4711);
        assertThat(Files.readString(dir.resolve("args")).strip()).endsWith(
                "-cp " + System.getProperty("java.class.path") + " " + TernServerProcess.MAIN_CLASS);
        assertThat(server.dataDir()).isEqualTo(dataDir);
        // stdout and stderr in two files next to the data directory, so tests can assert on stderr alone
        assertThat(server.stderr()).isEmpty();
        assertThat(server.stdout()).contains(TernServerProcess.READY_LINE);
    }

    @Test
    void aJarServerWithDefaultPortsGetsOnlyWhatTheTestSetsAndItsHeap() throws Exception {
        Path jar = Files.createFile(dir.resolve("tern-server.jar"));
        TernServerProcess server = recording(TernServerProcess.fromJar(jar).jvmOptions("-Xmx1g").defaultPorts()
                .env(Map.of("TERN_HTTP_PORT", "not-a-port"))
                .log("server-under-test", dir.resolve("logs").resolve("server.log")), dir.resolve("data"));
        server.awaitReady().awaitExit(Duration.ofSeconds(30));

        Map<String, String> env = recordedEnvironment();
        assertThat(env.keySet().stream().filter(name -> name.startsWith("TERN_")))
                .containsExactlyInAnyOrder("TERN_DATA_DIR", "TERN_HTTP_PORT");
        assertThat(server.httpPort()).as("a deliberately invalid port").isEqualTo(-1);
        assertThat(server.grpcPort()).as("left to the server's default").isEqualTo(-1);
        assertThat(Files.readString(dir.resolve("args")).strip()).endsWith("-Xmx1g -jar " + jar.toAbsolutePath());
        assertThat(server.process().log()).isEqualTo(dir.resolve("logs").resolve("server.log"));
        assertThat(Files.readString(server.process().log())).startsWith("=== sh -c");
    }

    /** Launches with a shell in front that records its arguments and environment instead of starting java. */
    private TernServerProcess recording(TernServerProcess.Launcher launcher, Path dataDir) {
        String script = "echo \"$@\" > '" + dir.resolve("args") + "'; env > '" + dir.resolve("env") + "'; echo '"
                + TernServerProcess.READY_LINE + "'";
        return launcher.wrappedIn(List.of("sh", "-c", script, "sh")).launch(dataDir);
    }

    private Map<String, String> recordedEnvironment() throws Exception {
        return Files.readAllLines(dir.resolve("env")).stream().filter(line -> line.contains("="))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf('=')),
                        line -> line.substring(line.indexOf('=') + 1), (first, second) -> second));
    }
}

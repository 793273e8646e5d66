package dev.tern.bench.sync;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * tern-server as a separate operating-system process ({@code java -jar tern-server.jar}) on free loopback ports with
 * a throw-away data directory. The jar is copied into that directory first, so a rebuild of {@code api} by someone
 * else during the run cannot pull it from under the process.
 */
final class TernServerProcess implements AutoCloseable {
    private final Path dataDir;
    private final Path log;
    private final Process process;
    final int httpPort;
    final int grpcPort;

    private TernServerProcess(Path dataDir, Path log, Process process, int httpPort, int grpcPort) {
        this.dataDir = dataDir;
        this.log = log;
        this.process = process;
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
    }

    static TernServerProcess start(Path jar, String heap) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; build it with ./mvnw -B -q -DskipTests install");
        }
        Path dataDir = Files.createTempDirectory("tern-syncbench-");
        Path jarCopy = Files.copy(jar, dataDir.resolve("tern-server.jar"), StandardCopyOption.REPLACE_EXISTING);
        Path log = dataDir.resolve("tern-server.log");
        int httpPort = freePort();
        int grpcPort = freePort();
        int signalPort = freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-jar", jarCopy.toString());
        Map<String, String> env = builder.environment();
        // An inherited TERN_* variable would change the server under test (or trip its typo check).
        env.keySet().removeIf(name -> name.startsWith("TERN_"));
        env.put("TERN_DATA_DIR", dataDir.resolve("data").toString());
        env.put("TERN_HTTP_PORT", Integer.toString(httpPort));
        env.put("TERN_GRPC_PORT", Integer.toString(grpcPort));
        env.put("TERN_SIGNAL_PORT", Integer.toString(signalPort));
        env.put("TERN_STUN_PORT", "off");
        env.put("TERN_RELAY_PORT", Integer.toString(freePort()));
        // every simulated peer calls from the loopback address: lift the per-address limit above their count
        env.put("TERN_GRPC_MAX_CALLS_PER_ADDRESS", "1000000");
        env.put("AXONIQ_UPDATE_CHECKER_DISABLED", "true");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        TernServerProcess server = new TernServerProcess(dataDir, log, builder.start(), httpPort, grpcPort);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        server.awaitReady(Duration.ofMinutes(3));
        return server;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("tern-server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + httpPort + "/api/instance")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        close();
        throw new IllegalStateException("tern-server did not answer within " + timeout + "; see " + log);
    }

    /** SIGTERM (clean shutdown stops the embedded PostgreSQL too), then SIGKILL for anything left behind. */
    @Override
    public synchronized void close() {
        if (process.isAlive()) {
            var descendants = process.descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Removes the data directory; the server log is kept when asked to (it is inside). */
    void deleteData() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package dev.tern.api.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * tern-server as a real child process ({@code java -cp <test classpath> dev.tern.api.TernServerApplication}),
 * configured only through TERN_* environment variables like an operator would. For restart, crash and
 * start-up-failure tests; everything else should use the shared in-JVM server of {@link TernIntegrationTest}.
 * stdout and stderr go to files next to the data directory, so a failing test can show them.
 */
public final class TernServerProcess implements AutoCloseable {

    /** The last start-up log line (see dev.tern.api.config.StartupReport). */
    public static final String READY_LINE = "tern-server started";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);

    private final Process process;
    private final Path dataDir;
    private final Path stdout;
    private final Path stderr;
    private final int httpPort;

    private TernServerProcess(Process process, Path dataDir, Path stdout, Path stderr, int httpPort) {
        this.process = process;
        this.dataDir = dataDir;
        this.stdout = stdout;
        this.stderr = stderr;
        this.httpPort = httpPort;
    }

    /** Starts tern-server on {@code dataDir} with free ports and waits until it is ready. */
    public static TernServerProcess start(Path dataDir) {
        TernServerProcess server = launch(dataDir, Map.of());
        server.awaitReady();
        return server;
    }

    /**
     * Launches tern-server without waiting. TERN_DATA_DIR, TERN_HTTP_PORT, TERN_GRPC_PORT, TERN_SIGNAL_PORT, TERN_RELAY_PORT (and TERN_STUN_PORT=off)
     * are set to {@code dataDir} and free ports unless {@code env} sets them; every other TERN_* variable of this JVM's
     * environment is removed so the child sees only what the test means.
     */
    public static TernServerProcess launch(Path dataDir, Map<String, String> env) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Daxoniq.update-checker.disabled=true",
                "-cp", System.getProperty("java.class.path"),
                "dev.tern.api.TernServerApplication"));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> childEnv = builder.environment();
        childEnv.keySet().removeIf(name -> name.startsWith("TERN_"));
        childEnv.put("AXONIQ_UPDATE_CHECKER_DISABLED", "true");
        Map<String, String> defaults = new HashMap<>();
        defaults.put("TERN_DATA_DIR", dataDir.toString());
        defaults.put("TERN_HTTP_PORT", Integer.toString(freePort()));
        defaults.put("TERN_GRPC_PORT", Integer.toString(freePort()));
        defaults.put("TERN_SIGNAL_PORT", Integer.toString(freePort()));
        // STUN (UDP) and relay default to fixed ports; two servers at once (restart overlap, second instance)
        // would clash on them.
        defaults.put("TERN_STUN_PORT", "off");
        defaults.put("TERN_RELAY_PORT", Integer.toString(freePort()));
        defaults.putAll(env);
        childEnv.putAll(defaults);

        int httpPort;
        try {
            httpPort = Integer.parseInt(defaults.get("TERN_HTTP_PORT"));
        } catch (NumberFormatException e) {
            httpPort = -1; // deliberately invalid, for start-up failure tests
        }
        try {
            Path logs = dataDir.toAbsolutePath().getParent();
            Files.createDirectories(logs);
            String name = dataDir.getFileName() + "-" + System.nanoTime();
            Path out = logs.resolve(name + ".stdout.log");
            Path err = logs.resolve(name + ".stderr.log");
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            return new TernServerProcess(builder.start(), dataDir, out, err, httpPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot launch tern-server", e);
        }
    }

    /** Waits for the ready line on stdout; fails with the server's output if it exits or takes too long. */
    public TernServerProcess awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (stdout().contains(READY_LINE)) {
                return this;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("tern-server exited with " + process.exitValue()
                        + " before it was ready\n--- stderr:\n" + stderr() + "\n--- stdout (tail):\n" + tail(stdout(), 60));
            }
            sleep(100);
        }
        throw new IllegalStateException("tern-server not ready after " + START_TIMEOUT + "\n--- stdout (tail):\n"
                + tail(stdout(), 60));
    }

    /** Waits for the process to end on its own and returns its exit status. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("tern-server still running after " + timeout + "\n--- stdout (tail):\n"
                        + tail(stdout(), 40));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, as systemd or Ctrl-C would: a graceful shutdown. Returns the exit status. */
    public int stop() {
        process.destroy();
        return awaitExit(Duration.ofSeconds(90));
    }

    /** SIGKILL: no shutdown hook runs, the embedded PostgreSQL is left behind as an orphan. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public int httpPort() {
        return httpPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public TestHttp http() {
        return TestHttp.forPort(httpPort);
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** Stops the server if a test left it running, so no process outlives the test. */
    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

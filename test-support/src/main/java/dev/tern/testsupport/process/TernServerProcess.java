package dev.tern.testsupport.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * tern-server as a real child process, configured only through TERN_* environment variables like an operator
 * would: from this JVM's class path ({@code java -cp ... dev.tern.api.TernServerApplication}, for api's own tests)
 * or from a packaged {@code tern-server.jar} (e2e, bench). Started by path and class name, so this module needs no
 * compile-time dependency on api. Every inherited TERN_* variable is removed, so the child sees only what the test
 * means (and an operator's variable cannot trip the server's typo check).
 */
public final class TernServerProcess implements AutoCloseable {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** The last start-up log line (see dev.tern.api.config.StartupReport). */
    public static final String READY_LINE = "tern-server started";
    /** tern-server's main class, started by name from a class path that holds api. */
    public static final String MAIN_CLASS = "dev.tern.api.TernServerApplication";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    private final ChildProcess process;
    private final Path dataDir;
    private final Map<String, String> env;

    private TernServerProcess(ChildProcess process, Path dataDir, Map<String, String> env) {
        this.process = process;
        this.dataDir = dataDir;
        this.env = env;
    }

    /** Starts tern-server from this JVM's class path on {@code dataDir} with free ports and waits until it is ready. */
    public static TernServerProcess start(Path dataDir) {
        return launch(dataDir, Map.of()).awaitReady();
    }

    /**
     * Launches tern-server from this JVM's class path without waiting. TERN_DATA_DIR, TERN_HTTP_PORT, TERN_GRPC_PORT,
     * TERN_SIGNAL_PORT, TERN_RELAY_PORT (and TERN_STUN_PORT=off) are set to {@code dataDir} and free ports unless
     * {@code env} sets them.
     */
    public static TernServerProcess launch(Path dataDir, Map<String, String> env) {
        return fromClasspath().env(env).launch(dataDir);
    }

    /** A launcher for tern-server from this JVM's class path, with a small heap and quick start-up flags. */
    public static Launcher fromClasspath() {
        return new Launcher(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Daxoniq.update-checker.disabled=true"),
                List.of("-cp", System.getProperty("java.class.path"), MAIN_CLASS));
    }

    /** A launcher for a packaged tern-server jar. */
    public static Launcher fromJar(Path jar) {
        return new Launcher(List.of(), List.of("-jar", jar.toAbsolutePath().toString()));
    }

    /** Waits for the ready line on stdout; fails with the server's output if it exits or takes too long. */
    public TernServerProcess awaitReady() {
        process.awaitOutput(READY_LINE, START_TIMEOUT);
        return this;
    }

    /** Waits for the process to end on its own and returns its exit status. */
    public int awaitExit(Duration timeout) {
        return process.awaitExit(timeout);
    }

    /** SIGTERM, as systemd or Ctrl-C would: a graceful shutdown. Returns the exit status. */
    public int stop() {
        return process.terminate(STOP_TIMEOUT);
    }

    /** SIGKILL: no shutdown hook runs, the embedded PostgreSQL is left behind as an orphan. */
    public void kill() {
        process.kill();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /** The REST port, or -1 when the test set TERN_HTTP_PORT to something that is no port. */
    public int httpPort() {
        return port("TERN_HTTP_PORT");
    }

    /** The management gRPC port, or -1 when the test set TERN_GRPC_PORT to something that is no port. */
    public int grpcPort() {
        return port("TERN_GRPC_PORT");
    }

    public Path dataDir() {
        return dataDir;
    }

    public String stdout() {
        return process.stdout();
    }

    public String stderr() {
        return process.stderr();
    }

    /** The child process itself, for what only some tests need (its log, stopping its whole process tree). */
    public ChildProcess process() {
        return process;
    }

    /** Stops the server if a test left it running, so no process (nor its PostgreSQL) outlives the test. */
    @Override
    public void close() {
        process.close(STOP_TIMEOUT);
    }

    /**
     * A TCP port that is free now and that this JVM has not handed out before. The kernel may give the same ephemeral
     * port to two back-to-back {@code bind(0)} calls once the first socket is closed (it did: a server got signal port
     * = relay port and refused to start), so ports handed out are remembered.
     */
    public static int freePort() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                int port = socket.getLocalPort();
                if (HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private int port(String variable) {
        try {
            return Integer.parseInt(env.get(variable));
        } catch (NumberFormatException e) {
            return -1; // deliberately invalid, for start-up failure tests, or left to the server's default
        }
    }

    /** How to start one tern-server: command, environment, where its output goes. */
    public static final class Launcher {
        private final List<String> jvmOptions;
        private final List<String> program;
        private final List<String> wrapper = new ArrayList<>();
        private final List<String> extraJvmOptions = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> arguments = new ArrayList<>();
        private boolean freePorts = true;
        private String name;
        private Path stdout;
        private Path stderr;

        private Launcher(List<String> jvmOptions, List<String> program) {
            this.jvmOptions = jvmOptions;
            this.program = program;
        }

        /** Extra JVM options, e.g. a heap size, after the launcher's own. */
        public Launcher jvmOptions(String... options) {
            extraJvmOptions.addAll(List.of(options));
            return this;
        }

        /** TERN_* (or other) variables for the server; they win over the data directory and free ports. */
        public Launcher env(Map<String, String> variables) {
            env.putAll(variables);
            return this;
        }

        /** Command-line arguments after the main class or jar, e.g. {@code replay --projection peers}. */
        public Launcher arguments(String... values) {
            arguments.addAll(List.of(values));
            return this;
        }

        /** Runs the server through a wrapper command, e.g. {@code ip netns exec <namespace>}. */
        public Launcher wrappedIn(List<String> command) {
            wrapper.addAll(command);
            return this;
        }

        /**
         * Leaves the ports the test does not set at the server's defaults instead of free loopback ports (a server
         * alone in its network namespace, at the ports its clients expect).
         */
        public Launcher defaultPorts() {
            freePorts = false;
            return this;
        }

        /** stdout and stderr appended to one log file, headed by the command line, under a name of its own. */
        public Launcher log(String processName, Path log) {
            this.name = processName;
            this.stdout = log;
            this.stderr = null;
            return this;
        }

        /**
         * Launches without waiting for the server to be ready. Unless {@link #log} chose otherwise, stdout and stderr
         * go to two files next to the data directory.
         */
        public TernServerProcess launch(Path dataDir) {
            Map<String, String> variables = new LinkedHashMap<>();
            variables.put("TERN_DATA_DIR", dataDir.toString());
            if (freePorts) {
                variables.put("TERN_HTTP_PORT", Integer.toString(freePort()));
                variables.put("TERN_GRPC_PORT", Integer.toString(freePort()));
                variables.put("TERN_SIGNAL_PORT", Integer.toString(freePort()));
                // STUN (UDP) and relay default to fixed ports; two servers at once (restart overlap, second
                // instance) would clash on them.
                variables.put("TERN_STUN_PORT", "off");
                variables.put("TERN_RELAY_PORT", Integer.toString(freePort()));
            }
            variables.putAll(env);

            List<String> command = new ArrayList<>(wrapper);
            command.add(ChildProcess.java());
            command.addAll(jvmOptions);
            command.addAll(extraJvmOptions);
            command.addAll(program);
            command.addAll(arguments);
            Path out = stdout;
            Path err = stderr;
            String processName = name;
            if (out == null) {
                Path logs = dataDir.toAbsolutePath().getParent();
                String base = dataDir.getFileName() + "-" + System.nanoTime();
                out = logs.resolve(base + ".stdout.log");
                err = logs.resolve(base + ".stderr.log");
                processName = "tern-server";
            }
            ChildProcess child = ChildProcess.start(processName, command, environment -> {
                environment.keySet().removeIf(variable -> variable.startsWith("TERN_"));
                environment.put("AXONIQ_UPDATE_CHECKER_DISABLED", "true");
                environment.putAll(variables);
            }, out, err);
            return new TernServerProcess(child, dataDir, Map.copyOf(variables));
        }

        /** Launches and waits until the server is ready. */
        public TernServerProcess start(Path dataDir) {
            return launch(dataDir).awaitReady();
        }
    }
}

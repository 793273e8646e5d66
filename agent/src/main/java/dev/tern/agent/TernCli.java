package dev.tern.agent;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The {@code tern} command: {@code up} runs the daemon in the foreground, {@code status} asks it what it sees,
 * {@code down} stops it and removes the interface.
 *
 * <p>Exit codes: 0 ok, 1 failure, 2 usage error, 3 environment (not root, tools missing), 4 management server
 * unreachable or refusing, 5 not running.
 */
@Command(name = "tern", mixinStandardHelpOptions = true, version = Daemon.VERSION,
        description = "Tern mesh VPN agent.",
        subcommands = {TernCli.Up.class, TernCli.StatusCommand.class, TernCli.Down.class})
public final class TernCli implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (the entry point tests and main share). */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new TernCli()).setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof AgentException agent) {
                commandLine.getErr().println("tern: " + agent.getMessage());
                return agent.exitCode();
            }
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("tern: " + e.getMessage());
                return CommandLine.ExitCode.USAGE;
            }
            commandLine.getErr().println("tern: unexpected error: " + e);
            return AgentException.FAILURE;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return CommandLine.ExitCode.USAGE;
    }

    @Command(name = "up", mixinStandardHelpOptions = true, description = "Join the mesh and run the agent in the foreground (SIGTERM or 'tern down' stops it).")
    static final class Up implements Callable<Integer> {
        // The key on the command line is visible to every local user in /proc; the environment variable and the
        // file are the ways that keep it private. Never shown in help output.
        @Option(names = "--setup-key", defaultValue = "${env:TERN_SETUP_KEY}",
                description = "Setup key for the first registration (not needed once registered); also TERN_SETUP_KEY.")
        String setupKey;

        @Option(names = "--setup-key-file", description = "Read the setup key from this file instead.")
        Path setupKeyFile;

        @Option(names = "--management-url", required = true, description = "Management server, e.g. http://host:33073")
        String managementUrl;

        @Option(names = "--ca-file", defaultValue = "${env:TERN_CA_FILE}",
                description = "PEM file of the CA(s) that https:// management/signal and rels:// relay certificates must "
                        + "chain to, instead of the system trust store; also TERN_CA_FILE.")
        Path caFile;

        @Option(names = "--interface", defaultValue = "tern0", description = "WireGuard interface name (default: ${DEFAULT-VALUE}).")
        String interfaceName;

        @Option(names = "--config-dir", defaultValue = "/etc/tern", description = "Config directory (default: ${DEFAULT-VALUE}).")
        Path configDir;

        @Option(names = "--wg-port", defaultValue = "51820", description = "WireGuard listen port (default: ${DEFAULT-VALUE}).")
        int wgPort;

        @Option(names = "--hostname", description = "Name to register with (default: this host's name).")
        String hostname;

        @Option(names = "--startup-timeout", defaultValue = "30", description = "Seconds to keep trying an unreachable management server at start (default: ${DEFAULT-VALUE}).")
        int startupTimeoutSeconds;

        @Override
        public Integer call() {
            if (wgPort < 1 || wgPort > 65535) {
                throw new IllegalArgumentException("--wg-port must be 1..65535");
            }
            if (startupTimeoutSeconds < 0) {
                throw new IllegalArgumentException("--startup-timeout must not be negative");
            }
            String key = setupKey;
            if (setupKeyFile != null) {
                if (setupKey != null && !setupKey.isBlank()) {
                    throw new IllegalArgumentException("give the setup key either with --setup-key/TERN_SETUP_KEY or "
                            + "with --setup-key-file, not both");
                }
                try {
                    key = java.nio.file.Files.readString(setupKeyFile).strip();
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("cannot read --setup-key-file " + setupKeyFile + ": " + e.getMessage());
                }
                if (key.isEmpty()) {
                    throw new IllegalArgumentException("--setup-key-file " + setupKeyFile + " is empty");
                }
            }
            return new Daemon(new Daemon.Options(key, managementUrl, interfaceName, configDir, wgPort, hostname,
                    Duration.ofSeconds(startupTimeoutSeconds), caFile)).run();
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show the running agent's mesh IP, connections and peers.")
    static final class StatusCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--detail", description = "One block per peer.")
        boolean detail;

        @Option(names = "--json", description = "Machine-readable output.")
        boolean json;

        @Option(names = "--config-dir", defaultValue = "/etc/tern", description = "Config directory (default: ${DEFAULT-VALUE}).")
        Path configDir;

        @Override
        public Integer call() {
            ConfigDir dir = new ConfigDir(configDir);
            StatusReport report = fetch(dir).orElseThrow(() -> new AgentException(AgentException.NOT_RUNNING,
                    "tern is not running (no daemon for " + dir.path() + ")"));
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? report.toJson() + "\n" : report.toText(detail));
            out.flush();
            return 0;
        }

        /** From the control socket, or from the status file the daemon refreshes when the socket is unusable. */
        static Optional<StatusReport> fetch(ConfigDir dir) {
            String reply = ControlSocket.request(dir.controlSocket(), "status");
            if (reply != null && reply.startsWith("{")) {
                return Optional.of(StatusReport.fromJson(reply));
            }
            if (Daemon.runningPid(dir).isPresent()) {
                return dir.readJson(dir.statusFile(), StatusReport.class);
            }
            return Optional.empty();
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true, description = "Stop the running agent and remove its interface.")
    static final class Down implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config-dir", defaultValue = "/etc/tern", description = "Config directory (default: ${DEFAULT-VALUE}).")
        Path configDir;

        @Option(names = "--timeout", defaultValue = "20", description = "Seconds to wait for the daemon to exit (default: ${DEFAULT-VALUE}).")
        int timeoutSeconds;

        @Override
        public Integer call() throws InterruptedException, java.io.IOException {
            ConfigDir dir = new ConfigDir(configDir);
            Optional<Long> pid = Daemon.runningPid(dir);
            boolean asked = "ok".equals(ControlSocket.request(dir.controlSocket(), "down"));
            if (!asked && pid.isPresent()) {
                ProcessHandle.of(pid.get()).ifPresent(ProcessHandle::destroy); // SIGTERM: the daemon cleans up
                asked = true;
            }
            if (pid.isPresent()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
                while (ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)) {
                    if (System.nanoTime() > deadline) {
                        throw new AgentException(AgentException.FAILURE, "tern (pid " + pid.get()
                                + ") did not stop within " + timeoutSeconds + "s");
                    }
                    Thread.sleep(50);
                }
            }
            // Whatever a crashed daemon left behind goes too.
            boolean cleaned = false;
            Optional<AgentState> state = dir.readState();
            if (state.isPresent() && state.get().interfaceName() != null) {
                Shell shell = new Shell();
                cleaned = WireGuardDevice.removeIfPresent(state.get().interfaceName(), shell);
                new Nftables(shell).remove(state.get().interfaceName());
            }
            java.nio.file.Files.deleteIfExists(dir.pidFile());
            java.nio.file.Files.deleteIfExists(dir.statusFile());
            if (!asked && !cleaned) {
                throw new AgentException(AgentException.NOT_RUNNING, "tern is not running (no daemon for " + dir.path() + ")");
            }
            spec.commandLine().getOut().println("tern is down");
            return 0;
        }
    }
}

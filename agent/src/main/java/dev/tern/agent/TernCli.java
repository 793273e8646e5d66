package dev.tern.agent;

import dev.tern.agent.common.AgentException;
import dev.tern.agent.daemon.PidFile;
import dev.tern.agent.daemon.SystemInfo;
import dev.tern.agent.dataplane.Nftables;
import dev.tern.agent.dataplane.Shell;
import dev.tern.agent.dataplane.WireGuardDevice;
import dev.tern.agent.dns.HostDns;
import dev.tern.agent.routing.LinuxHost;
import dev.tern.agent.status.StatusReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The {@code tern} command: {@code up} runs the daemon in the foreground, {@code status} asks it what it sees,
 * {@code down} stops it and removes the interface.
 *
 * <p>Exit codes: 0 ok, 1 failure, 2 usage error, 3 environment (not root, tools missing), 4 management server
 * unreachable or refusing, 5 not running.
 */
@Command(name = "tern", mixinStandardHelpOptions = true, version = SystemInfo.VERSION,
        description = "Tern mesh VPN agent.",
        subcommands = {TernCli.Up.class, TernCli.StatusCommand.class, TernCli.Down.class, TernCli.ResetServerKey.class,
                TernCli.RouteCommand.class})
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

    public static int execute(PrintWriter out, PrintWriter err, String... args) {
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
        static final String SETUP_KEY_ENV = "TERN_SETUP_KEY";
        private static final Set<PosixFilePermission> SHARED = EnumSet.of(PosixFilePermission.GROUP_READ,
                PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        // The key on the command line is visible to every local user in /proc; the environment variable and the
        // file are the ways that keep it private. Never shown in help output.
        @Option(names = "--setup-key",
                description = "Setup key for the first registration (not needed once registered). Optional: without "
                        + "one, tern up signs you in through the identity provider (it prints a URL and a code to open "
                        + "in a browser). Visible to local users in the process list: prefer TERN_SETUP_KEY or "
                        + "--setup-key-file.")
        String setupKey;

        @Option(names = "--setup-key-file", description = "Read the setup key from this file (must not be readable "
                + "by group or others, e.g. chmod 600).")
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

        @Option(names = "--accept-new-server-key", description = "Trust the key the management server presents at "
                + "this start instead of the one pinned at the first login (only after checking the server's key "
                + "really changed).")
        boolean acceptNewServerKey;

        /**
         * The setup key from {@code --setup-key}, {@code --setup-key-file} or {@code TERN_SETUP_KEY}, in that order
         * (explicit flags win over the environment); null when none is given. A key file others could read (or
         * write) is refused: the point of the file is that only its owner sees the key.
         */
        String resolveSetupKey(Map<String, String> environment, PrintWriter err) {
            if (setupKey != null && setupKeyFile != null) {
                throw new IllegalArgumentException("give the setup key either with --setup-key or with "
                        + "--setup-key-file, not both");
            }
            if (setupKey != null) {
                err.println("tern: warning: --setup-key is visible to every local user in the process list; use "
                        + SETUP_KEY_ENV + "=... or --setup-key-file instead");
                err.flush();
                return setupKey.isBlank() ? null : setupKey.strip();
            }
            if (setupKeyFile != null) {
                return readSetupKeyFile(setupKeyFile);
            }
            String fromEnvironment = environment.get(SETUP_KEY_ENV);
            return fromEnvironment == null || fromEnvironment.isBlank() ? null : fromEnvironment.strip();
        }

        static String readSetupKeyFile(Path file) {
            String key;
            try {
                Set<PosixFilePermission> shared = EnumSet.copyOf(SHARED);
                shared.retainAll(Files.getPosixFilePermissions(file));
                if (!shared.isEmpty()) {
                    throw new IllegalArgumentException("--setup-key-file " + file + " is accessible to other users ("
                            + PosixFilePermissions.toString(Files.getPosixFilePermissions(file)) + "): run chmod 600 "
                            + file + " (and consider the key exposed)");
                }
                key = Files.readString(file).strip();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read --setup-key-file " + file + ": " + e.getMessage());
            }
            if (key.isEmpty()) {
                throw new IllegalArgumentException("--setup-key-file " + file + " is empty");
            }
            return key;
        }

        @Override
        public Integer call() {
            if (wgPort < 1 || wgPort > 65535) {
                throw new IllegalArgumentException("--wg-port must be 1..65535");
            }
            if (startupTimeoutSeconds < 0) {
                throw new IllegalArgumentException("--startup-timeout must not be negative");
            }
            String key = resolveSetupKey(System.getenv(), spec.commandLine().getErr());
            return new Daemon(new Daemon.Options(key, managementUrl, interfaceName, configDir, wgPort, hostname,
                    Duration.ofSeconds(startupTimeoutSeconds), acceptNewServerKey, caFile)).run();
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
            if (new PidFile(dir.pidFile()).runningPid().isPresent()) {
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
            Optional<Long> pid = new PidFile(dir.pidFile()).runningPid();
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
            cleaned |= HostDns.restoreLeftover(HostDns.RESOLV_CONF, dir.path());
            cleaned |= LinuxHost.restoreLeftover(LinuxHost.IP_FORWARD, dir.path());
            cleaned |= LinuxHost.restoreLeftoverIpv6(LinuxHost.IP6_FORWARD, dir.path());
            if (!asked && !cleaned) {
                throw new AgentException(AgentException.NOT_RUNNING, "tern is not running (no daemon for " + dir.path() + ")");
            }
            spec.commandLine().getOut().println("tern is down");
            return 0;
        }
    }

    @Command(name = "reset-server-key", mixinStandardHelpOptions = true,
            description = "Forget the management server key pinned at the first login; the next login pins the key "
                    + "the server presents then (a running agent picks this up at its next login attempt).")
    static final class ResetServerKey implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--config-dir", defaultValue = "/etc/tern", description = "Config directory (default: ${DEFAULT-VALUE}).")
        Path configDir;

        @Override
        public Integer call() {
            Optional<String> forgotten = new ConfigDir(configDir).serverKeyPin(false).reset();
            spec.commandLine().getOut().println(forgotten
                    .map(key -> "forgot the pinned management server key " + key)
                    .orElse("no management server key was pinned in " + configDir));
            return 0;
        }
    }

    @Command(name = "route", mixinStandardHelpOptions = true,
            description = "Turn the routes of a network id on or off (like 'netbird networks select'): an exit node "
                    + "route with skip-auto-apply is used only once selected.")
    static final class RouteCommand implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            throw new CommandLine.ParameterException(spec.commandLine(), "say 'select' or 'deselect'");
        }

        /** Asks the running daemon over its control socket; exit 1 when it knows no such network id. */
        static int ask(CommandLine.Model.CommandSpec spec, Path configDir, String verb, String netId) {
            if (!netId.matches("[\\p{Graph}&&[^\\\\]]{1,64}")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "not a network id: " + netId);
            }
            ConfigDir dir = new ConfigDir(configDir);
            String reply = ControlSocket.request(dir.controlSocket(), "route " + verb + " " + netId);
            if (reply == null) {
                throw new AgentException(AgentException.NOT_RUNNING, "tern is not running (no daemon for " + dir.path() + ")");
            }
            if (!reply.equals("ok")) {
                throw new AgentException(AgentException.FAILURE, reply.replaceFirst("^error: ", ""));
            }
            spec.commandLine().getOut().println(verb + "ed the routes of " + netId);
            return 0;
        }

        @Command(name = "select", mixinStandardHelpOptions = true, description = "Use the routes of NET_ID.")
        int select(@CommandLine.Parameters(paramLabel = "NET_ID",
                           description = "The route's network id (tern status lists it).") String netId,
                   @Option(names = "--config-dir", defaultValue = "/etc/tern",
                           description = "Config directory (default: ${DEFAULT-VALUE}).") Path configDir) {
            return ask(spec.subcommands().get("select").getCommandSpec(), configDir, "select", netId);
        }

        @Command(name = "deselect", mixinStandardHelpOptions = true, description = "Stop using the routes of NET_ID.")
        int deselect(@CommandLine.Parameters(paramLabel = "NET_ID",
                             description = "The route's network id (tern status lists it).") String netId,
                     @Option(names = "--config-dir", defaultValue = "/etc/tern",
                             description = "Config directory (default: ${DEFAULT-VALUE}).") Path configDir) {
            return ask(spec.subcommands().get("deselect").getCommandSpec(), configDir, "deselect", netId);
        }
    }
}

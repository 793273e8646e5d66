package dev.tern.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import dev.tern.testsupport.netns.Shell;
import dev.tern.testsupport.process.ChildProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * NetBird's real client (the {@code netbird} binary, built from NetBird's published Go module at a pinned release by
 * {@code scripts/go-tool.sh}) in a network namespace: its daemon in the foreground ({@code netbird service run}) with
 * its own state directory, daemon socket and interface name, and the {@code netbird up/status/down} commands talking
 * to that socket.
 *
 * <p>Userspace WireGuard (NB_WG_KERNEL_DISABLED), because these kernels have no WireGuard module. The ssh client
 * config is switched off (NB_DISABLE_SSH_CONFIG, /etc/ssh is the host's). Its firewall stays on: it enforces the
 * network map's rules, which the policy tests rely on; nftables tables are per namespace.
 *
 * <p>DNS stays on, kept inside the namespace: the client's resolver (in userspace mode it answers in memory at the
 * last address of the mesh network) is what the DNS tests query, and its "file" host manager points
 * /etc/resolv.conf at it. {@code ip netns exec} bind-mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf when that
 * file exists, so it is made here before the daemon starts (and removed on close): the client, and {@code dig} or
 * {@code ping} run in the namespace, read and write that file, never the host's. The client also writes a backup
 * next to it (/etc/resolv.conf.original.netbird, a fixed path every client would share): the daemon runs with a
 * private overlay over /etc (writes go to its state directory) on which the namespace's resolv.conf is bind-mounted
 * again, so nothing it writes reaches the host's /etc.
 */
public final class NetBirdClient implements AutoCloseable {
    /** The newest release the Go module proxy serves. */
    public static final String NEWEST = "v0.77.1";
    /** A release about a year older (2025-09): fleets run mixed versions. */
    public static final String OLDER = "v0.58.1";

    private static final Map<String, Path> BINARIES = new ConcurrentHashMap<>();

    private final String label;
    private final String version;
    private final Path binary;
    private final String namespace;
    private final String iface;
    private final Path stateDir;
    private final Path trustedCa;
    private final ChildProcess daemon;

    /** A namespace's first resolv.conf: an upstream nobody answers at, so only the client's resolver answers. */
    public static final String NAMESPACE_RESOLV_CONF = "# resolv.conf of a NetBird client's test namespace\n"
            + "nameserver 192.0.2.53\n";

    private NetBirdClient(String label, String version, Path binary, String namespace, String iface, Path stateDir,
                          Path trustedCa, ChildProcess daemon) {
        this.label = label;
        this.version = version;
        this.binary = binary;
        this.namespace = namespace;
        this.iface = iface;
        this.stateDir = stateDir;
        this.trustedCa = trustedCa;
        this.daemon = daemon;
    }

    /**
     * The client binary of {@code version}, built on first use (minutes, cold) and cached under
     * ~/.cache/tern-test-tools; fails the test, never skips, when it cannot be built.
     */
    public static Path binary(String version) {
        return BINARIES.computeIfAbsent(version, v -> {
            Path root = repositoryRoot();
            Path module = root.resolve("e2e/src/test/go/netbird-client-" + v);
            if (!Files.isRegularFile(module.resolve("go.mod"))) {
                throw new AssertionError("no Go module pins NetBird client " + v + " (expected " + module + ")");
            }
            List<String> command = List.of("bash", root.resolve("scripts/go-tool.sh").toString(), "--module",
                    module.toString(), "github.com/netbirdio/netbird/client", "netbird");
            // A cold build compiles NetBird and its dependencies: allow for a loaded machine.
            Shell.Result built = Shell.run(withGoOnPath(command), 1800);
            if (!built.ok()) {
                throw new AssertionError("cannot build NetBird client " + v + " with " + String.join(" ", command)
                        + " (exit " + built.exitCode() + "):\n" + built.output());
            }
            String[] lines = built.output().strip().split("\n");
            Path binary = Path.of(lines[lines.length - 1].strip());
            if (!Files.isExecutable(binary)) {
                throw new AssertionError("go-tool.sh printed no executable for NetBird client " + v + ":\n"
                        + built.output());
            }
            return binary;
        });
    }

    /**
     * Starts the daemon of a client labelled {@code label} in {@code namespace}, trusting only the CA in
     * {@code trustedCa} for TLS; {@link #up} then joins it. The interface name must be unique on the machine
     * (wireguard-go's sockets under /var/run/wireguard are shared).
     */
    /** A client of a plaintext (http) management server: no private CA to trust. */
    public static NetBirdClient startDaemon(String label, String version, String namespace, String iface,
                                            URI managementUrl) {
        return startDaemon(label, version, namespace, iface, managementUrl, null);
    }

    /** @param trustedCa the only CA the client trusts (a test PKI's), or null for a plaintext server */
    public static NetBirdClient startDaemon(String label, String version, String namespace, String iface,
                                            URI managementUrl, Path trustedCa) {
        Path binary = binary(version);
        try {
            Path stateDir = Files.createTempDirectory("tern-e2e-netbird-" + label + "-");
            if (!version.equals(NEWEST)) {
                // v0.58's daemon connects at its first start with a fresh default profile, i.e. to
                // api.netbird.io, and `netbird up` waits behind those retries (v0.77 does not connect with a config it
                // just made). Installed clients have their management URL in the profile: start it that way.
                Files.writeString(stateDir.resolve("default.json"), Rest.JSON.writeValueAsString(Map.of(
                        "ManagementURL", Map.of("Scheme", managementUrl.getScheme(),
                                "Host", managementUrl.getHost() + ":" + managementUrl.getPort()))));
            }
            Path resolvConf = namespaceResolvConf(namespace);
            Files.createDirectories(resolvConf.getParent());
            Files.writeString(resolvConf, NAMESPACE_RESOLV_CONF);
            return new NetBirdClient(label, version, binary, namespace, iface, stateDir, trustedCa,
                    runDaemon(label, binary, namespace, stateDir, trustedCa));
        } catch (IOException e) {
            throw new AssertionError("cannot make a state directory for NetBird client " + label, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while starting NetBird client " + label, e);
        }
    }

    /** The daemon of a client whose state is in {@code stateDir}, once it listens on its socket. */
    private static ChildProcess runDaemon(String label, Path binary, String namespace, Path stateDir,
                                            Path trustedCa) throws IOException, InterruptedException {
        List<String> env = new ArrayList<>(List.of("env"));
        if (trustedCa == null) {
            env.addAll(List.of("-u", "SSL_CERT_FILE")); // a plaintext server: nothing to trust, nothing inherited
        }
        env.add("NB_STATE_DIR=" + stateDir);
        if (trustedCa != null) {
            // Go reads its root CAs from SSL_CERT_FILE when set: the client trusts the test's private CA only.
            env.add("SSL_CERT_FILE=" + trustedCa);
        }
        env.addAll(List.of("NB_WG_KERNEL_DISABLED=true", "NB_DISABLE_SSH_CONFIG=true", "NB_DISABLE_NAT_MAPPER=true",
                binary.toString(), "service", "run"));
        env.addAll(List.of("--daemon-addr", daemonAddress(stateDir), "--log-file", "console",
                "--log-level", "debug"));
        List<String> command = new ArrayList<>(Shell.inNamespace(namespace, "bash", "-c",
                privateEtcThenExec(namespace, stateDir), "netbird-daemon"));
        command.addAll(env);
        // A daemon that was killed leaves its socket behind; the wait below must see the new one.
        Path socket = stateDir.resolve("daemon.sock");
        Files.deleteIfExists(socket);
        ChildProcess daemon = ChildProcess.start("netbird-" + label, command, Map.of(),
                Path.of("target", "e2e-logs", "netbird-" + label + ".log"));
        // The CLI fails at once when the socket is not there yet: wait for the daemon to listen.
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!Files.exists(socket)) {
            if (!daemon.isAlive() || System.nanoTime() > deadline) {
                daemon.stopTree(Duration.ofSeconds(5));
                throw new AssertionError("NetBird daemon " + label + " did not open " + socket + ":\n"
                        + daemon.logTail(40));
            }
            Thread.sleep(100);
        }
        return daemon;
    }

    /**
     * A bash script for the daemon's own mount namespace ({@code ip netns exec} makes one): keep a handle on the
     * namespace's resolv.conf, lay a private overlay over /etc (upper layer in the state directory), put that
     * resolv.conf back on top, then exec the command given as arguments.
     */
    private static String privateEtcThenExec(String namespace, Path stateDir) throws IOException {
        Path etc = stateDir.resolve("etc-overlay");
        Path upper = etc.resolve("upper");
        Path work = etc.resolve("work");
        Files.createDirectories(upper);
        Files.createDirectories(work);
        Path shared = etc.resolve("resolv.conf.namespace");
        if (!Files.exists(shared)) {
            Files.createFile(shared);
        }
        return "set -e\n"
                + "mount --bind " + namespaceResolvConf(namespace) + " " + shared + "\n"
                + "mount -t overlay tern-e2e-etc -o lowerdir=/etc,upperdir=" + upper + ",workdir=" + work + " /etc\n"
                + "mount --bind " + shared + " /etc/resolv.conf\n"
                + "exec \"$@\"\n";
    }

    /** The file {@code ip netns exec} bind-mounts over /etc/resolv.conf in {@code namespace}. */
    public static Path namespaceResolvConf(String namespace) {
        return Path.of("/etc/netns", namespace, "resolv.conf");
    }

    /** The namespace's /etc/resolv.conf as the client left it (it points it at its own resolver). */
    public String resolvConf() {
        try {
            return Files.readString(namespaceResolvConf(namespace));
        } catch (IOException e) {
            throw new AssertionError("cannot read the resolv.conf of " + namespace, e);
        }
    }

    /** Stops the daemon, keeping its state (profile, keys); {@link #restarted} starts it again. */
    public void stopDaemon() {
        daemon.stopTree(Duration.ofSeconds(15));
    }

    /** The same client with a new daemon process on its kept state, as after a reboot. */
    public NetBirdClient restarted() {
        daemon.stopTree(Duration.ofSeconds(15));
        try {
            return new NetBirdClient(label, version, binary, namespace, iface, stateDir, trustedCa,
                    runDaemon(label, binary, namespace, stateDir, trustedCa));
        } catch (IOException e) {
            throw new AssertionError("cannot restart NetBird client " + label, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while restarting NetBird client " + label, e);
        }
    }

    /** {@code netbird up --setup-key ... --management-url ... [moreArgs]}: logs in and connects. */
    public Shell.Result up(String managementUrl, String setupKey, String hostname, String... moreArgs) {
        List<String> args = new ArrayList<>(List.of("up", "--setup-key", setupKey, "--management-url", managementUrl,
                "--interface-name", iface, "--wireguard-port", "51820", "--hostname", hostname,
                "--log-file", "console"));
        args.addAll(List.of(moreArgs));
        return cli(120, args.toArray(String[]::new));
    }

    /**
     * {@code netbird up --no-browser} without a setup key, still running: it prints "Use this URL to log in" and the
     * identity provider's verification URL on stdout, waits until someone signs in there, then logs in with the token
     * and connects. The caller signs in and awaits its exit.
     */
    public ChildProcess upInteractive(String managementUrl, String hostname) {
        List<String> command = new ArrayList<>(Shell.inNamespace(namespace, binary.toString(), "up", "--no-browser",
                "--management-url", managementUrl, "--interface-name", iface, "--wireguard-port", "51820",
                "--hostname", hostname, "--log-file", "console", "--daemon-addr", daemonAddress(stateDir)));
        return ChildProcess.start("netbird-up-" + label, command, Map.of(),
                Path.of("target", "e2e-logs", "netbird-up-" + label + ".log"));
    }

    /** {@code netbird status --json}, parsed; fails when the command does. */
    public JsonNode status() {
        Shell.Result r = cli(30, "status", "--json");
        if (!r.ok()) {
            throw new AssertionError("netbird status of " + label + " failed (" + r.exitCode() + "): " + r.output()
                    + "\n" + daemon.logTail(30));
        }
        String out = r.output();
        int start = out.indexOf('{');
        try {
            return Rest.JSON.readTree(out.substring(Math.max(0, start)));
        } catch (IOException e) {
            throw new AssertionError("netbird status --json of " + label + " is not JSON: " + out, e);
        }
    }

    /** The status entry of the peer with mesh address {@code meshIp}, if the client knows it. */
    public Optional<JsonNode> peer(String meshIp) {
        for (JsonNode p : status().path("peers").path("details")) {
            if (p.path("netbirdIp").asText().equals(meshIp)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** This client's mesh address (without prefix length) as its status reports it; empty before login. */
    public String meshIp() {
        String ip = status().path("netbirdIp").asText("");
        int slash = ip.indexOf('/');
        return slash < 0 ? ip : ip.substring(0, slash);
    }

    /** Runs {@code netbird <args> --daemon-addr <this client's socket>} in its namespace. */
    public Shell.Result cli(int timeoutSeconds, String... args) {
        List<String> command = new ArrayList<>(Shell.inNamespace(namespace, binary.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--daemon-addr", daemonAddress(stateDir)));
        return Shell.run(command, timeoutSeconds);
    }

    public String label() {
        return label;
    }

    public String namespace() {
        return namespace;
    }

    public String logTail(int lines) {
        return daemon.logTail(lines);
    }

    /** Stops the daemon and removes what it leaves in its namespace and on disk. */
    @Override
    public void close() {
        daemon.stopTree(Duration.ofSeconds(15));
        Shell.run(Shell.inNamespace(namespace, "ip", "link", "del", iface), 10);
        Shell.run(List.of("rm", "-rf", stateDir.toString()), 30);
        Shell.run(List.of("rm", "-rf", namespaceResolvConf(namespace).getParent().toString()), 10);
    }

    /**
     * Closes all of {@code clients} at once: each daemon takes seconds to shut down (it tears its engine down first),
     * and a test bed's teardown would otherwise wait for them one after the other. They share nothing (own
     * namespace, interface, state directory), so closing them side by side leaves the same behind.
     */
    public static void closeAll(Collection<NetBirdClient> clients) {
        List<NetBirdClient> closing = clients.stream().filter(Objects::nonNull).toList();
        if (closing.isEmpty()) {
            return;
        }
        ExecutorService threads = Executors.newFixedThreadPool(closing.size());
        try {
            CompletableFuture.allOf(closing.stream().map(c -> CompletableFuture.runAsync(c::close, threads))
                    .toArray(CompletableFuture[]::new)).join();
        } finally {
            threads.shutdown();
        }
    }

    private static String daemonAddress(Path stateDir) {
        return "unix://" + stateDir.resolve("daemon.sock");
    }

    /** CI's Go is installed under /usr/local/go, which a non-login shell may not have on PATH. */
    private static List<String> withGoOnPath(List<String> command) {
        List<String> full = new ArrayList<>(List.of("env", "PATH=" + System.getenv("PATH") + ":/usr/local/go/bin"));
        full.addAll(command);
        return full;
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("scripts/go-tool.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new AssertionError("scripts/go-tool.sh not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}

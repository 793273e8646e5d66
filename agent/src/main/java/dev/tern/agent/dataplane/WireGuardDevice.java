package dev.tern.agent.dataplane;

import dev.tern.agent.common.AgentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The mesh interface: kernel WireGuard when the kernel has it, otherwise a {@code wireguard-go} child process.
 * Remembers the peers it last applied so each new peer set is applied as a diff.
 */
public final class WireGuardDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WireGuardDevice.class);
    private static final Pattern IFACE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,14}");

    private final String iface;
    private final Shell shell;
    private final WgBackend backend;
    private final Process userspace;
    private final Map<String, WgPeer> applied = new LinkedHashMap<>();
    private String address;
    private String addressV6;

    private WireGuardDevice(String iface, Shell shell, WgBackend backend, Process userspace) {
        this.iface = iface;
        this.shell = shell;
        this.backend = backend;
        this.userspace = userspace;
    }

    public static String requireValidName(String iface) {
        if (iface == null || !IFACE.matcher(iface).matches()) {
            throw new IllegalArgumentException("interface name must be 1-15 characters: a letter, then letters, "
                    + "digits, '_' or '-'");
        }
        return iface;
    }

    /**
     * Creates the interface (replacing a stale one of the same name left by a crash) and brings it up empty.
     *
     * @param logFile where wireguard-go's own output goes
     */
    public static WireGuardDevice create(String iface, Shell shell, Path logFile) {
        requireValidName(iface);
        if (!Shell.onPath("ip")) {
            throw new AgentException(AgentException.ENVIRONMENT, "'ip' (iproute2) is not installed");
        }
        removeIfPresent(iface, shell);
        WireGuardDevice device;
        if (shell.run(List.of("ip", "link", "add", "dev", iface, "type", "wireguard"), null).ok()) {
            if (!Shell.onPath("wg")) {
                shell.run(List.of("ip", "link", "del", "dev", iface), null);
                throw new AgentException(AgentException.ENVIRONMENT,
                        "kernel WireGuard needs the 'wg' tool: apt-get install -y wireguard-tools");
            }
            LOG.info("using kernel WireGuard for {}", iface);
            device = new WireGuardDevice(iface, shell, new WgBackend.WgToolBackend(iface, shell), null);
        } else {
            device = new WireGuardDevice(iface, shell, new WgBackend.UapiBackend(
                    new UapiSocket(UapiSocket.defaultPath(iface))), startWireguardGo(iface, shell, logFile));
            LOG.info("using userspace wireguard-go for {}", iface);
        }
        return device;
    }

    private static Process startWireguardGo(String iface, Shell shell, Path logFile) {
        if (!Shell.onPath("wireguard-go")) {
            throw new AgentException(AgentException.ENVIRONMENT, "kernel WireGuard is not available and "
                    + "wireguard-go is not installed: apt-get install -y wireguard-go wireguard-tools");
        }
        Path socket = UapiSocket.defaultPath(iface);
        try {
            Files.deleteIfExists(socket);
            ProcessBuilder builder = new ProcessBuilder(shell.command(List.of("wireguard-go", "-f", iface)))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            // -f keeps it our child: it dies with the interface, and we can wait for it on down.
            builder.environment().put("WG_PROCESS_FOREGROUND", "1");
            Process process = builder.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.exists(socket)) {
                if (!process.isAlive()) {
                    throw new AgentException(AgentException.ENVIRONMENT, "wireguard-go exited with "
                            + process.exitValue() + " creating " + iface + " (see " + logFile + "; is /dev/net/tun "
                            + "available and are we root?)");
                }
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new AgentException(AgentException.FAILURE, "wireguard-go did not open " + socket + " in 10s");
                }
                Thread.sleep(20);
            }
            return process;
        } catch (IOException e) {
            throw new AgentException(AgentException.ENVIRONMENT, "cannot start wireguard-go: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException(AgentException.FAILURE, "interrupted while starting wireguard-go", e);
        }
    }

    /** Deletes the interface if it exists (a leftover of a crashed daemon, or on {@code tern down}). */
    public static boolean removeIfPresent(String iface, Shell shell) {
        if (!shell.run(List.of("ip", "link", "show", "dev", iface), null).ok()) {
            return false;
        }
        shell.run(List.of("ip", "link", "del", "dev", iface), null);
        try {
            Files.deleteIfExists(UapiSocket.defaultPath(iface));
        } catch (IOException ignored) {
            // a stale socket is harmless; the next wireguard-go replaces it
        }
        return true;
    }

    String name() {
        return iface;
    }

    boolean userspace() {
        return userspace != null;
    }

    /** False once a wireguard-go child has exited: the interface is gone with it. */
    public boolean alive() {
        return userspace == null || userspace.isAlive();
    }

    /** Sets key and port, drops any peers, and brings the link up. */
    public synchronized void configure(byte[] privateKey, int listenPort) {
        try {
            backend.setDevice(privateKey, listenPort, List.of());
        } catch (AgentException e) {
            throw new AgentException(e.exitCode(), "configuring " + iface + " failed (is UDP port " + listenPort
                    + " already in use?): " + e.getMessage(), e);
        }
        applied.clear();
        shell.check("bringing " + iface + " up", List.of("ip", "link", "set", "dev", iface, "up"), null);
    }

    /** Sets the mesh address (e.g. {@code 100.64.0.5/16}); a changed address replaces the old one. */
    synchronized void setAddress(String cidr) {
        if (cidr.equals(address)) {
            return;
        }
        shell.check("flushing addresses of " + iface, List.of("ip", "-4", "address", "flush", "dev", iface), null);
        shell.check("assigning " + cidr + " to " + iface, List.of("ip", "address", "add", cidr, "dev", iface), null);
        address = cidr;
    }

    /** Replaces the interface's global IPv6 addresses with {@code cidr} (link-local ones stay). */
    synchronized void setAddressV6(String cidr) {
        if (cidr.equals(addressV6)) {
            return;
        }
        shell.check("flushing IPv6 addresses of " + iface,
                List.of("ip", "-6", "address", "flush", "dev", iface, "scope", "global"), null);
        shell.check("assigning " + cidr + " to " + iface, List.of("ip", "-6", "address", "add", cidr, "dev", iface),
                null);
        addressV6 = cidr;
    }

    /** Applies {@code desired} as a diff against what was applied last; returns that diff. */
    synchronized PeerDiff applyPeers(Collection<WgPeer> desired) {
        PeerDiff diff = PeerDiff.between(applied, desired);
        backend.apply(diff);
        diff.removed().forEach(applied::remove);
        diff.added().forEach(p -> applied.put(p.publicKey(), p));
        diff.changed().forEach(p -> applied.put(p.publicKey(), p));
        return diff;
    }

    synchronized Map<String, WgPeer> appliedPeers() {
        return Map.copyOf(applied);
    }

    DeviceState read() {
        return backend.read();
    }

    /** Removes the interface; wireguard-go exits when its tun device goes away. */
    @Override
    public synchronized void close() {
        removeIfPresent(iface, shell);
        if (userspace != null) {
            try {
                if (!userspace.waitFor(3, TimeUnit.SECONDS)) {
                    userspace.destroy();
                    if (!userspace.waitFor(3, TimeUnit.SECONDS)) {
                        userspace.destroyForcibly();
                    }
                }
            } catch (InterruptedException e) {
                userspace.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}

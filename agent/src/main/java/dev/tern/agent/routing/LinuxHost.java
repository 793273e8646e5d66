package dev.tern.agent.routing;

import dev.tern.agent.dataplane.Shell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kernel routes with {@code ip route} (IPv4, and IPv6 on a mesh that has it) and IPv4 forwarding through
 * {@code /proc/sys/net/ipv4/ip_forward}.
 *
 * <p>An exit node's 0.0.0.0/0 becomes 0.0.0.0/1 and 128.0.0.0/1 via the mesh interface: more specific than the
 * host's default route, which stays as it is (nothing to restore, and the host's own routes to its local networks
 * still win). Before they go in, each address that must stay outside the tunnel (management, signal, relay, STUN,
 * peers' WireGuard endpoints) gets a host route along the path the kernel uses for it then ({@code ip route get}),
 * so the agent's own connections and WireGuard's packets never loop into the mesh. Host routes rather than policy
 * routing: they need no fwmark support from the WireGuard backend, and show in {@code ip route} what was done.
 */
public final class LinuxHost implements Routing.Host {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxHost.class);
    public static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");
    public static final Path IP6_FORWARD = Path.of("/proc/sys/net/ipv6/conf/all/forwarding");
    /** In the config dir while forwarding is on because of us: the value to put back, also after a crash. */
    public static final String FORWARDING_BACKUP = "ip_forward.backup";
    public static final String FORWARDING_V6_BACKUP = "ip6_forward.backup";
    private static final Pattern VIA = Pattern.compile("\\bvia (\\S+)");
    private static final Pattern DEV = Pattern.compile("\\bdev (\\S+)");

    private final String iface;
    private final Shell shell;
    private final ForwardingSwitch ipv4Forwarding;
    private final ForwardingSwitch ipv6Forwarding;
    private final Set<String> installed = new TreeSet<>();
    /** Address to the {@code ip route} arguments of the host route that keeps it outside the tunnel. */
    private final Map<String, List<String>> pinned = new LinkedHashMap<>();
    /** Addresses tried once without a path outside the tunnel: not asked again every tick. */
    private final Set<String> unpinnable = new TreeSet<>();

    public LinuxHost(String iface, Shell shell, Path ipForward, Path configDir) {
        this(iface, shell, ipForward, IP6_FORWARD, configDir);
    }

    public LinuxHost(String iface, Shell shell, Path ipForward, Path ip6Forward, Path configDir) {
        this.iface = iface;
        this.shell = shell;
        this.ipv4Forwarding = new ForwardingSwitch("IPv4 forwarding", ipForward,
                configDir.resolve(FORWARDING_BACKUP));
        this.ipv6Forwarding = new ForwardingSwitch("IPv6 forwarding", ip6Forward,
                configDir.resolve(FORWARDING_V6_BACKUP));
    }

    /**
     * Puts back the forwarding a crashed run turned on (its backup is still in {@code configDir}); true when there
     * was one.
     */
    public static boolean restoreLeftover(Path ipForward, Path configDir) {
        return ForwardingSwitch.restoreLeftover(ipForward, configDir.resolve(FORWARDING_BACKUP));
    }

    /** The same for IPv6 forwarding (a routing peer of IPv6 routes turned it on). */
    public static boolean restoreLeftoverIpv6(Path ip6Forward, Path configDir) {
        return ForwardingSwitch.restoreLeftover(ip6Forward, configDir.resolve(FORWARDING_V6_BACKUP));
    }

    /** The kernel prefixes a routed network is installed as: a default route as its two halves. */
    static Set<String> kernelPrefixes(Set<String> networks) {
        Set<String> out = new TreeSet<>();
        for (String network : networks) {
            if (network.endsWith("/0") && network.indexOf(':') >= 0) {
                out.add("::/1");
                out.add("8000::/1");
            } else if (network.endsWith("/0")) {
                out.add("0.0.0.0/1");
                out.add("128.0.0.0/1");
            } else {
                out.add(network);
            }
        }
        return out;
    }

    /** {@code ip}'s address family switch for a prefix: IPv6 routes go to the IPv6 table. */
    static String family(String prefix) {
        return prefix.indexOf(':') >= 0 ? "-6" : "-4";
    }

    /** The {@code via}/{@code dev} part of {@code ip route get}'s answer, unless it already leads into the mesh. */
    static Optional<List<String>> pathOf(String routeGet, String meshIface) {
        Matcher dev = DEV.matcher(routeGet);
        if (!dev.find() || dev.group(1).equals(meshIface) || dev.group(1).equals("lo")) {
            return Optional.empty();
        }
        Matcher via = VIA.matcher(routeGet);
        return Optional.of(via.find() ? List.of("via", via.group(1), "dev", dev.group(1)) : List.of("dev", dev.group(1)));
    }

    @Override
    public synchronized void routes(Set<String> networks, Collection<String> keepOutside) {
        Set<String> desired = kernelPrefixes(networks);
        boolean exit = networks.stream().anyMatch(n -> n.endsWith("/0"));
        if (exit) {
            pin(keepOutside);
        }
        for (String prefix : List.copyOf(installed)) {
            if (!desired.contains(prefix)) {
                shell.run(List.of("ip", family(prefix), "route", "del", prefix, "dev", iface), null);
                installed.remove(prefix);
                LOG.info("removed the route to {} via {}", prefix, iface);
            }
        }
        for (String prefix : desired) {
            if (!installed.contains(prefix)) {
                shell.check("routing " + prefix + " via " + iface,
                        List.of("ip", family(prefix), "route", "replace", prefix, "dev", iface), null);
                installed.add(prefix);
                LOG.info("routing {} via {}", prefix, iface);
            }
        }
        if (!exit) {
            unpinAll();
        }
    }

    private void pin(Collection<String> addresses) {
        for (String address : new TreeSet<>(addresses)) {
            if (pinned.containsKey(address) || unpinnable.contains(address) || address.startsWith("127.")
                    || !address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                continue;
            }
            Shell.Result route = shell.run(List.of("ip", "-4", "route", "get", address), null);
            Optional<List<String>> path = route.ok() ? pathOf(route.stdout(), iface) : Optional.empty();
            if (path.isEmpty()) {
                // already behind the tunnel (it appeared after the exit route went in) or unreachable
                LOG.warn("cannot keep {} outside the mesh: no path to it but through {}", address, iface);
                unpinnable.add(address);
                continue;
            }
            List<String> command = new java.util.ArrayList<>(List.of("ip", "-4", "route", "replace", address + "/32"));
            command.addAll(path.get());
            if (shell.run(command, null).ok()) {
                pinned.put(address, path.get());
                LOG.info("keeping {} outside the mesh ({})", address, String.join(" ", path.get()));
            }
        }
    }

    private void unpinAll() {
        for (Map.Entry<String, List<String>> pin : pinned.entrySet()) {
            List<String> command = new java.util.ArrayList<>(List.of("ip", "-4", "route", "del", pin.getKey() + "/32"));
            command.addAll(pin.getValue());
            shell.run(command, null);
        }
        pinned.clear();
        unpinnable.clear();
    }

    @Override
    public synchronized void forwarding(boolean on) {
        ipv4Forwarding.set(on);
    }

    @Override
    public synchronized void forwardingIpv6(boolean on) {
        ipv6Forwarding.set(on);
    }

    @Override
    public synchronized void close() {
        routes(Set.of(), List.of());
        forwarding(false);
        forwardingIpv6(false);
    }
}

package dev.tern.testsupport.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The end-to-end test bed: one network namespace per host, all joined to a bridge in the "server" namespace, plus
 * a veth from the test's own (root) namespace so the test can call the REST API. Every name carries a run id,
 * because wireguard-go's control sockets under /var/run/wireguard are shared across namespaces.
 */
public final class TestNetwork implements AutoCloseable {
    private final String runId;
    private final String subnet;
    private final String serverNs;
    private final String bridge;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> rootLinks = new ArrayList<>();
    private final Map<String, String> hostAddresses = new HashMap<>();
    private int nextHost = 10;

    public TestNetwork(String runId, int subnetOctet) {
        this.runId = runId;
        this.subnet = "10.231." + subnetOctet + ".";
        this.serverNs = "tsrv" + runId;
        this.bridge = "tbr" + runId;
        createNamespace(serverNs);
        Shell.must(Shell.inNamespace(serverNs, "ip", "link", "add", bridge, "type", "bridge").toArray(String[]::new));
        // A bridge without an address of its own takes the lowest MAC of its ports, so a host joining mid-test could
        // change the server's MAC and leave everyone's ARP entry stale until it expires (REST calls time out).
        Shell.must(Shell.inNamespace(serverNs, "ip", "link", "set", bridge, "address",
                String.format("02:7e:72:6e:%02x:01", subnetOctet & 0xff)).toArray(String[]::new));
        Shell.must(Shell.inNamespace(serverNs, "ip", "addr", "add", serverAddress() + "/24", "dev", bridge).toArray(String[]::new));
        Shell.must(Shell.inNamespace(serverNs, "ip", "link", "set", bridge, "up").toArray(String[]::new));
        Shell.must(Shell.inNamespace(serverNs, "ip", "link", "set", "lo", "up").toArray(String[]::new));
        // The test itself (root namespace) reaches the server through its own veth on the bridge.
        String rootSide = "tvr" + runId;
        String bridgeSide = "tvb" + runId;
        Shell.must("ip", "link", "add", rootSide, "type", "veth", "peer", "name", bridgeSide);
        rootLinks.add(rootSide);
        Shell.must("ip", "link", "set", bridgeSide, "netns", serverNs);
        Shell.must(Shell.inNamespace(serverNs, "ip", "link", "set", bridgeSide, "master", bridge).toArray(String[]::new));
        Shell.must(Shell.inNamespace(serverNs, "ip", "link", "set", bridgeSide, "up").toArray(String[]::new));
        Shell.must("ip", "addr", "add", subnet + "254/24", "dev", rootSide);
        Shell.must("ip", "link", "set", rootSide, "up");
    }

    public String serverNamespace() {
        return serverNs;
    }

    /** The server namespace's address on the bridge, where tern-server listens. */
    public String serverAddress() {
        return subnet + "1";
    }

    /** Adds a host namespace joined to the bridge; returns its name. */
    public String addHost(String label) {
        String ns = "t" + label + runId;
        createNamespace(ns);
        int host = nextHost++;
        String inside = "e" + label + runId;
        String outside = "b" + label + runId;
        Shell.must("ip", "link", "add", inside, "type", "veth", "peer", "name", outside);
        Shell.must("ip", "link", "set", inside, "netns", ns);
        Shell.must("ip", "link", "set", outside, "netns", serverNs);
        Shell.must(Shell.inNamespace(serverNs, "ip", "link", "set", outside, "master", bridge).toArray(String[]::new));
        Shell.must(Shell.inNamespace(serverNs, "ip", "link", "set", outside, "up").toArray(String[]::new));
        Shell.must(Shell.inNamespace(ns, "ip", "addr", "add", subnet + host + "/24", "dev", inside).toArray(String[]::new));
        Shell.must(Shell.inNamespace(ns, "ip", "link", "set", inside, "up").toArray(String[]::new));
        Shell.must(Shell.inNamespace(ns, "ip", "link", "set", "lo", "up").toArray(String[]::new));
        hostAddresses.put(ns, subnet + host);
        return ns;
    }

    /** The underlay address of a host namespace made by {@link #addHost}. */
    public String hostAddress(String namespace) {
        String address = hostAddresses.get(namespace);
        if (address == null) {
            throw new IllegalArgumentException("no host namespace " + namespace);
        }
        return address;
    }

    private void createNamespace(String ns) {
        Shell.run("ip", "netns", "del", ns);
        Shell.must("ip", "netns", "add", ns);
        namespaces.add(ns);
        ownResolvConf(ns);
    }

    /**
     * {@code ip netns exec} mounts {@code /etc/netns/NS/resolv.conf} over {@code /etc/resolv.conf} when it exists:
     * with a copy there, agents (and NetBird clients) that point the resolver at themselves change their
     * namespace's copy, never the host's file.
     */
    private static void ownResolvConf(String ns) {
        try {
            Path dir = Files.createDirectories(Path.of("/etc/netns", ns));
            Path hostFile = Path.of("/etc/resolv.conf");
            Files.write(dir.resolve("resolv.conf"), Files.exists(hostFile) ? Files.readAllBytes(hostFile) : new byte[0]);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give namespace " + ns + " its own resolv.conf", e);
        }
    }

    private static void dropResolvConf(String ns) {
        try {
            Files.deleteIfExists(Path.of("/etc/netns", ns, "resolv.conf"));
            Files.deleteIfExists(Path.of("/etc/netns", ns));
        } catch (IOException e) {
            // something else was put there; leave it
        }
    }

    @Override
    public void close() {
        for (String link : rootLinks) {
            Shell.run("ip", "link", "del", link);
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            Shell.run("ip", "netns", "del", namespaces.get(i));
            dropResolvConf(namespaces.get(i));
        }
    }
}

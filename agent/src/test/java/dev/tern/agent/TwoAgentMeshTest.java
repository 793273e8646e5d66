package dev.tern.agent;

import dev.tern.agent.control.FakeManagementServer;
import dev.tern.agent.control.FakeSignalServer;
import dev.tern.agent.daemon.Preflight;
import dev.tern.agent.dataplane.Shell;
import dev.tern.agent.dataplane.UapiSocket;
import dev.tern.agent.dataplane.WgBackend;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.management.FirewallRule;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PeerConfig;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.RuleAction;
import dev.tern.protocol.management.RuleDirection;
import dev.tern.protocol.management.RuleProtocol;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real {@code tern up} processes, each in its own network namespace on a shared bridge, with a fake
 * management server and a fake routing signal node: they exchange endpoints over signal, WireGuard connects, ping
 * works; a map with an extra peer leaves the tunnel alone; a map without the inbound rule blocks the other side.
 * Needs root, wireguard-go, ip, nft and ping; fails (never skips) without them.
 */
class TwoAgentMeshTest {
    private final String tag = HexFormat.of().formatHex(new byte[]{
            (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt(),
            (byte) ThreadLocalRandom.current().nextInt()});
    private final int octet = 1 + ThreadLocalRandom.current().nextInt(250);
    private final String subnet = "10.97." + octet + ".";
    private final String bridge = "tb" + tag;
    private final Shell host = new Shell();
    private final FakeManagementServer management = new FakeManagementServer();
    private final FakeSignalServer signal = new FakeSignalServer();
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private Server managementServer;
    private Server signalServer;

    @TempDir
    Path temp;

    private record Agent(String name, String ns, Shell shell, String iface, Path configDir, Process process) {
    }

    @BeforeEach
    void setUp() throws Exception {
        for (String tool : List.of("wireguard-go", "ip", "nft", "ping")) {
            if (!Shell.onPath(tool)) {
                throw new AssertionError(tool + " is missing: apt-get install -y wireguard-go wireguard-tools nftables "
                        + "iproute2 iputils-ping (this test never skips)");
            }
        }
        Preflight.requireRoot();
        host.check("bridge", List.of("ip", "link", "add", bridge, "type", "bridge"), null);
        host.check("bridge addr", List.of("ip", "addr", "add", subnet + "1/24", "dev", bridge), null);
        host.check("bridge up", List.of("ip", "link", "set", bridge, "up"), null);
        managementServer = NettyServerBuilder.forAddress(new InetSocketAddress(subnet + "1", 0)).addService(management).build().start();
        signalServer = NettyServerBuilder.forAddress(new InetSocketAddress(subnet + "1", 0))
                .addService(signal.withHeaderRegistration()).build().start();
        management.signalUri = subnet + "1:" + signalServer.getPort();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        if (managementServer != null) {
            managementServer.shutdownNow();
        }
        if (signalServer != null) {
            signalServer.shutdownNow();
        }
        for (String ns : namespaces) {
            host.run(List.of("ip", "netns", "del", ns), null);
        }
        host.run(List.of("ip", "link", "del", bridge), null);
    }

    private Agent start(String name, int hostOctet) throws Exception {
        String ns = "tern-m-" + tag + "-" + name;
        host.check("netns", List.of("ip", "netns", "add", ns), null);
        namespaces.add(ns);
        Shell shell = Shell.inNamespace(ns);
        String outside = "tm" + tag + name;
        host.check("veth", List.of("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns), null);
        host.check("enslave", List.of("ip", "link", "set", outside, "master", bridge, "up"), null);
        shell.check("addr", List.of("ip", "addr", "add", subnet + hostOctet + "/24", "dev", "eth0"), null);
        shell.check("up", List.of("ip", "link", "set", "eth0", "up"), null);
        shell.check("lo", List.of("ip", "link", "set", "lo", "up"), null);
        String iface = "tn" + tag + name;
        Path configDir = temp.resolve(name);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder("ip", "netns", "exec", ns, java, "-cp", System.getProperty("java.class.path"),
                TernCli.class.getName(), "up", "--setup-key", FakeManagementServer.SETUP_KEY,
                "--management-url", "http://" + subnet + "1:" + managementServer.getPort(), "--interface", iface,
                "--config-dir", configDir.toString(), "--wg-port", "51820", "--hostname", name)
                .redirectErrorStream(true).redirectOutput(temp.resolve(name + ".log").toFile()).start();
        processes.add(process);
        return new Agent(name, ns, shell, iface, configDir, process);
    }

    private String logs() throws Exception {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("a", "b")) {
            Path file = temp.resolve(name + ".log");
            if (Files.exists(file)) {
                out.append("--- ").append(name).append('\n').append(Files.readString(file));
            }
        }
        return out.toString();
    }

    private static String ip(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    @SuppressWarnings("deprecation")
    private NetworkMap map(long serial, String self, Map<String, String> peers, boolean allowInbound) {
        NetworkMap.Builder map = NetworkMap.newBuilder().setSerial(serial)
                .setPeerConfig(PeerConfig.newBuilder().setAddress(management.addressOf(self)));
        for (Map.Entry<String, String> peer : peers.entrySet()) {
            map.addRemotePeers(RemotePeerConfig.newBuilder().setWgPubKey(peer.getKey())
                    .addAllowedIps(ip(management.addressOf(peer.getKey())) + "/32").setFqdn(peer.getValue() + ".tern.internal"));
            if (allowInbound) {
                map.addFirewallRules(FirewallRule.newBuilder().setPeerIP(ip(management.addressOf(peer.getKey())))
                        .setDirection(RuleDirection.IN).setProtocol(RuleProtocol.ALL).setAction(RuleAction.ACCEPT));
            }
        }
        return map.build();
    }

    private static boolean ping(Agent from, String ip) {
        return from.shell().run(List.of("ping", "-c", "1", "-W", "1", ip), null).ok();
    }

    private static StatusReport status(Agent agent) {
        StringWriter out = new StringWriter();
        int code = TernCli.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "status", "--json", "--config-dir", agent.configDir().toString());
        assertThat(code).isZero();
        return StatusReport.fromJson(out.toString());
    }

    @Test
    void twoAgentsConnectOverSignalAndTheMapDecidesWhatGetsIn() throws Exception {
        Agent a = start("a", 2);
        Agent b = start("b", 3);
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("an agent exited", () -> !a.process().isAlive() || !b.process().isAlive())
                .until(() -> management.syncStreams.size() == 2 && signal.streams.size() == 2);
        String keyA = new ConfigDir(a.configDir()).readState().orElseThrow().publicKey();
        String keyB = new ConfigDir(b.configDir()).readState().orElseThrow().publicKey();
        String meshA = ip(management.addressOf(keyA));
        String meshB = ip(management.addressOf(keyB));

        management.push(keyA, map(1, keyA, Map.of(keyB, "b"), true));
        management.push(keyB, map(1, keyB, Map.of(keyA, "a"), true));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .failFast("an agent exited", () -> !a.process().isAlive() || !b.process().isAlive())
                .until(() -> ping(a, meshB));
        assertThat(ping(b, meshA)).as(logs()).isTrue();
        assertThat(signal.seen).isNotEmpty()
                .allSatisfy(m -> assertThat(m.getBody().toStringUtf8()).doesNotContain(subnet));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(a).peers()).singleElement()
                .satisfies(peer -> {
                    assertThat(peer.name()).isEqualTo("b");
                    assertThat(peer.meshIp()).isEqualTo(meshB);
                    assertThat(peer.state()).isEqualTo("connected");
                    assertThat(peer.endpoint()).isEqualTo(subnet + "3:51820");
                    assertThat(peer.lastHandshake()).isNotNull();
                    assertThat(peer.rxBytes()).isPositive();
                }));
        long handshake = new WgBackend.UapiBackend(new UapiSocket(UapiSocket.defaultPath(a.iface()))).read()
                .peers().get(keyB).lastHandshakeEpochSeconds();

        // A newer map for A with one more peer: B's tunnel is not touched.
        String newcomer = TestKeys.publicKey();
        management.push(keyA, map(2, keyA, Map.of(keyB, "b", newcomer, "c"), true));
        await().atMost(Duration.ofSeconds(30)).until(() -> status(a).peers().size() == 2);
        assertThat(new WgBackend.UapiBackend(new UapiSocket(UapiSocket.defaultPath(a.iface()))).read()
                .peers().get(keyB).lastHandshakeEpochSeconds()).isEqualTo(handshake);
        assertThat(ping(a, meshB)).isTrue();

        // A map without the inbound rule: B cannot reach A any more, A still reaches B.
        management.push(keyA, map(3, keyA, Map.of(keyB, "b"), false));
        await().atMost(Duration.ofSeconds(30)).until(() -> !ping(b, meshA));
        assertThat(ping(a, meshB)).isTrue();

        // An older map is ignored: B stays blocked.
        management.push(keyA, map(2, keyA, Map.of(keyB, "b"), true));
        Thread.sleep(1000);
        assertThat(ping(b, meshA)).isFalse();
        assertThat(status(a).serial()).isEqualTo(3);
    }
}

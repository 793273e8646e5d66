package dev.tern.agent;

import dev.tern.agent.control.FakeManagementServer;
import dev.tern.agent.control.FakeSignalServer;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real {@code tern up} processes, each in its own network namespace on a shared bridge, with a fake
 * management server and a fake routing signal node: they exchange endpoints over signal, WireGuard connects, ping
 * works; a map with an extra peer leaves the tunnel alone; a map without the inbound rule blocks the other side.
 * Needs root, wireguard-go, ip, nft and ping; fails (never skips) without them.
 */
class TwoAgentMeshTest {
    private NamespaceBed bed;
    private FakeManagementServer management;
    private FakeSignalServer signal;
    private String subnet;

    @TempDir
    Path temp;

    private record Agent(String name, String ns, Shell shell, String iface, Path configDir, Process process) {
    }

    @BeforeEach
    void setUp() throws Exception {
        bed = new NamespaceBed("m", "10.97", temp, List.of("wireguard-go", "ip", "nft", "ping"));
        management = bed.management;
        signal = bed.signal;
        subnet = bed.subnet;
    }

    @AfterEach
    void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    private Agent start(String name, int hostOctet) throws Exception {
        String ns = bed.addNamespace(name, hostOctet);
        String iface = "tn" + bed.tag + name;
        Path configDir = temp.resolve(name);
        Process process = bed.tern(ns, name + ".log", List.of("up", "--setup-key", FakeManagementServer.SETUP_KEY,
                "--management-url", bed.managementUrl(), "--interface", iface,
                "--config-dir", configDir.toString(), "--wg-port", "51820", "--hostname", name));
        return new Agent(name, ns, Shell.inNamespace(ns), iface, configDir, process);
    }

    private String logs() throws Exception {
        return bed.logs("a.log", "b.log");
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

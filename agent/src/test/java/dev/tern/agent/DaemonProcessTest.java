package dev.tern.agent;

import dev.tern.agent.common.AgentException;
import dev.tern.agent.control.FakeManagementServer;
import dev.tern.agent.daemon.Preflight;
import dev.tern.agent.dataplane.DeviceState;
import dev.tern.agent.dataplane.Nftables;
import dev.tern.agent.dataplane.Shell;
import dev.tern.agent.dataplane.UapiSocket;
import dev.tern.agent.dataplane.WgBackend;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.management.FirewallRule;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PeerConfig;
import dev.tern.protocol.management.PortInfo;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real {@code tern up} process in a fresh network namespace, against a fake management server reached over a
 * veth pair: registration, map application to wireguard-go and nftables, status over the control socket,
 * {@code tern down} and SIGTERM. Needs root, wireguard-go, ip and nft; fails (never skips) without them.
 */
class DaemonProcessTest {
    private final String tag = HexFormat.of().formatHex(new byte[]{
            (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt(),
            (byte) ThreadLocalRandom.current().nextInt()});
    private final String ns = "tern-d-" + tag;
    private final String iface = "td" + tag;
    private final String vethHost = "tvh" + tag;
    private final String vethNs = "tvn" + tag;
    private final int octet = 1 + ThreadLocalRandom.current().nextInt(250);
    private final String hostIp = "10.98." + octet + ".1";
    private final Shell host = new Shell();
    private final Shell inNs = Shell.inNamespace(ns);
    private final FakeManagementServer fake = new FakeManagementServer();
    private final List<Process> processes = new ArrayList<>();
    private Server server;
    private int port;

    @TempDir
    Path temp;

    @BeforeEach
    void setUp() throws Exception {
        for (String tool : List.of("wireguard-go", "ip", "nft")) {
            if (!Shell.onPath(tool)) {
                throw new AssertionError(tool + " is missing: apt-get install -y wireguard-go wireguard-tools nftables "
                        + "iproute2 (this test never skips)");
            }
        }
        Preflight.requireRoot();
        host.check("netns", List.of("ip", "netns", "add", ns), null);
        host.check("veth", List.of("ip", "link", "add", vethHost, "type", "veth", "peer", "name", vethNs, "netns", ns), null);
        host.check("addr", List.of("ip", "addr", "add", hostIp + "/30", "dev", vethHost), null);
        host.check("up", List.of("ip", "link", "set", vethHost, "up"), null);
        inNs.check("addr", List.of("ip", "addr", "add", "10.98." + octet + ".2/30", "dev", vethNs), null);
        inNs.check("up", List.of("ip", "link", "set", vethNs, "up"), null);
        inNs.check("lo", List.of("ip", "link", "set", "lo", "up"), null);
        fake.signalUri = hostIp + ":1"; // nothing listens: the agent must live with a missing signal node
        server = NettyServerBuilder.forAddress(new InetSocketAddress(hostIp, 0)).addService(fake).build().start();
        port = server.getPort();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        if (server != null) {
            server.shutdownNow();
        }
        inNs.run(List.of("ip", "link", "del", iface), null);
        host.run(List.of("ip", "link", "del", vethHost), null);
        // a wireguard-go whose agent was killed keeps the namespace (and its socket) alive after "ip netns del"
        host.run(List.of("sh", "-c", "ip netns pids " + ns + " | xargs -r kill -9"), null);
        host.run(List.of("ip", "netns", "del", ns), null);
        Files.deleteIfExists(UapiSocket.defaultPath(iface));
    }

    private Process startUp(Path configDir, String... extra) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, java, "-cp",
                System.getProperty("java.class.path"), TernCli.class.getName(), "up",
                "--management-url", "http://" + hostIp + ":" + port, "--interface", iface,
                "--config-dir", configDir.toString(), "--wg-port", "51830", "--hostname", "daemon-test"));
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(temp.resolve("tern-up-" + processes.size() + ".log").toFile()).start();
        processes.add(process);
        return process;
    }

    private String log() throws Exception {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < processes.size(); i++) {
            Path file = temp.resolve("tern-up-" + i + ".log");
            if (Files.exists(file)) {
                out.append(Files.readString(file));
            }
        }
        return out.toString();
    }

    private Optional<StatusReport> status(Path configDir) {
        StringWriter out = new StringWriter();
        int code = TernCli.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "status", "--json", "--config-dir", configDir.toString());
        return code == 0 ? Optional.of(StatusReport.fromJson(out.toString())) : Optional.empty();
    }

    private boolean interfaceExists() {
        return inNs.run(List.of("ip", "link", "show", "dev", iface), null).ok();
    }

    @SuppressWarnings("deprecation")
    private static NetworkMap map(long serial, String remoteKey) {
        return NetworkMap.newBuilder().setSerial(serial)
                .setPeerConfig(PeerConfig.newBuilder().setAddress("100.64.0.7/16").setFqdn("daemon-test.tern.internal"))
                .addRemotePeers(RemotePeerConfig.newBuilder().setWgPubKey(remoteKey).addAllowedIps("100.64.0.9/32")
                        .setFqdn("other.tern.internal"))
                .addFirewallRules(FirewallRule.newBuilder().setPeerIP("100.64.0.9").setDirection(RuleDirection.IN)
                        .setProtocol(RuleProtocol.TCP).setAction(RuleAction.ACCEPT)
                        .setPortInfo(PortInfo.newBuilder().setPort(22)))
                .build();
    }

    @Test
    void upRegistersAppliesMapsReportsStatusAndDownRemovesEverything() throws Exception {
        Path configDir = temp.resolve("cfg");
        Process up = startUp(configDir, "--setup-key", FakeManagementServer.SETUP_KEY);

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .failFast("tern up exited", () -> !up.isAlive())
                .until(() -> fake.syncStreams.size() == 1);
        String peerKey = fake.syncStreams.keySet().iterator().next();
        assertThat(fake.loginSetupKeys).containsExactly("", FakeManagementServer.SETUP_KEY);
        assertThat(fake.hostnames).contains("daemon-test");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(configDir.resolve("private.key"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(configDir.resolve("state.json"))).contains("100.64.0.7/16").contains(iface);

        String remote = TestKeys.publicKey();
        fake.push(peerKey, map(3, remote));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            DeviceState device = new WgBackend.UapiBackend(new UapiSocket(UapiSocket.defaultPath(iface))).read();
            assertThat(device.listenPort()).isEqualTo(51830);
            assertThat(device.peers()).containsOnlyKeys(remote);
            assertThat(device.peers().get(remote).allowedIps()).containsExactly("100.64.0.9/32");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(inNs.check("nft", List.of("nft", "list", "table", "inet", Nftables.tableName(iface)), null))
                        .contains("ip saddr 100.64.0.9 tcp dport 22 accept"));
        assertThat(inNs.check("addr", List.of("ip", "-4", "addr", "show", "dev", iface), null)).contains("100.64.0.7/16");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            StatusReport report = status(configDir).orElseThrow();
            assertThat(report.meshAddress()).isEqualTo("100.64.0.7/16");
            assertThat(report.management().state()).isEqualTo("connected");
            assertThat(report.serial()).isEqualTo(3);
            assertThat(report.peers()).singleElement().satisfies(peer -> {
                assertThat(peer.name()).isEqualTo("other");
                assertThat(peer.meshIp()).isEqualTo("100.64.0.9");
                assertThat(peer.state()).isEqualTo("idle");
            });
        });

        // The management server restarts: the interface stays, the agent logs in again and takes the next map.
        server.shutdownNow().awaitTermination();
        fake.syncStreams.clear();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(status(configDir).orElseThrow().management().state()).isNotEqualTo("connected"));
        assertThat(interfaceExists()).isTrue();
        fake.signalUri = hostIp + ":2"; // the restarted server names another signal node
        server = NettyServerBuilder.forAddress(new InetSocketAddress(hostIp, port)).addService(fake).build().start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .failFast("tern up exited", () -> !up.isAlive())
                .until(() -> fake.syncStreams.containsKey(peerKey));
        fake.push(peerKey, map(4, remote).toBuilder().setFirewallRules(0, map(4, remote).getFirewallRules(0).toBuilder()
                .setPortInfo(PortInfo.newBuilder().setPort(2222))).build());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(inNs.check("nft", List.of("nft", "list", "table", "inet", Nftables.tableName(iface)), null))
                        .contains("ip saddr 100.64.0.9 tcp dport 2222 accept")
                        .doesNotContain("dport 22 "));
        assertThat(status(configDir).orElseThrow().management().state()).isEqualTo("connected");
        assertThat(status(configDir).orElseThrow().signal().url()).isEqualTo("http://" + hostIp + ":2");

        StringWriter out = new StringWriter();
        int down = TernCli.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "down", "--config-dir", configDir.toString());

        assertThat(down).as(log()).isZero();
        assertThat(up.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(interfaceExists()).isFalse();
        assertThat(inNs.run(List.of("nft", "list", "table", "inet", Nftables.tableName(iface)), null).ok()).isFalse();
        assertThat(status(configDir)).isEmpty();
        assertThat(log()).doesNotContain(FakeManagementServer.SETUP_KEY)
                .doesNotContain(Files.readString(configDir.resolve("private.key")).strip());
    }

    @Test
    void sigtermTakesTheInterfaceDownAndARestartLogsInWithoutTheSetupKey() throws Exception {
        Path configDir = temp.resolve("cfg");
        Process first = startUp(configDir, "--setup-key", FakeManagementServer.SETUP_KEY);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .failFast("tern up exited", () -> !first.isAlive())
                .until(() -> fake.syncStreams.size() == 1 && interfaceExists());

        // ip netns exec execs java in place, so this is the daemon's own pid: SIGTERM
        first.destroy();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).as(log()).isTrue();
        assertThat(interfaceExists()).isFalse();
        assertThat(configDir.resolve("tern.pid")).doesNotExist();

        fake.syncStreams.clear();
        int loginsBefore = fake.loginSetupKeys.size();
        Process second = startUp(configDir);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .failFast("tern up exited", () -> !second.isAlive())
                .until(() -> fake.syncStreams.size() == 1);
        assertThat(fake.loginSetupKeys.subList(loginsBefore, fake.loginSetupKeys.size())).containsExactly("");
    }

    @Test
    void aServerPresentingAnotherKeyThanTheFirstIsRefusedUntilTheOperatorAcceptsIt() throws Exception {
        Path configDir = temp.resolve("cfg");
        String firstKey = fake.serverKey.publicKeyBase64();
        Process first = startUp(configDir, "--setup-key", FakeManagementServer.SETUP_KEY);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .failFast("tern up exited", () -> !first.isAlive())
                .until(() -> fake.syncStreams.size() == 1);
        assertThat(Files.readString(configDir.resolve("server.pub")).strip()).isEqualTo(firstKey);
        first.destroy();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).as(log()).isTrue();

        fake.serverKey = dev.tern.protocol.crypto.NaclBox.generateKeyPair();
        String newKey = fake.serverKey.publicKeyBase64();
        fake.syncStreams.clear();
        int loginCallsBefore = fake.loginCalls.get();
        Process refused = startUp(configDir, "--setup-key", FakeManagementServer.SETUP_KEY);

        assertThat(refused.waitFor(60, TimeUnit.SECONDS)).as(log()).isTrue();
        assertThat(refused.exitValue()).as(log()).isEqualTo(AgentException.MANAGEMENT);
        assertThat(log()).contains("presents key " + newKey).contains("pinned key " + firstKey)
                .contains("tern reset-server-key").contains("--accept-new-server-key");
        assertThat(fake.loginCalls.get()).isEqualTo(loginCallsBefore);
        assertThat(interfaceExists()).isFalse();

        Process accepted = startUp(configDir, "--accept-new-server-key");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .failFast("tern up exited", () -> !accepted.isAlive())
                .until(() -> fake.syncStreams.size() == 1);
        assertThat(Files.readString(configDir.resolve("server.pub")).strip()).isEqualTo(newKey);
    }

    @Test
    void aSecondUpForTheSameConfigDirRefusesToStart() throws Exception {
        Path configDir = temp.resolve("cfg");
        Files.createDirectories(configDir);
        // a live java process (this one) holds the pid file
        Files.writeString(configDir.resolve("tern.pid"), ProcessHandle.current().pid() + "\n");
        StringWriter err = new StringWriter();

        int code = TernCli.execute(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "up",
                "--management-url", "http://" + hostIp + ":" + port, "--interface", iface,
                "--config-dir", configDir.toString());

        assertThat(code).isEqualTo(AgentException.FAILURE);
        assertThat(err.toString()).contains("already running");
        assertThat(fake.loginSetupKeys).isEmpty();
        assertThat(interfaceExists()).isFalse();
        assertThat(Files.readString(configDir.resolve("tern.pid")).strip())
                .isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }

    @Test
    void unreachableManagementIsAClearErrorWithExitCode4AndLeavesNothingBehind() throws Exception {
        server.shutdownNow().awaitTermination();
        Path configDir = temp.resolve("cfg");
        Process up = startUp(configDir, "--setup-key", FakeManagementServer.SETUP_KEY, "--startup-timeout", "1");

        assertThat(up.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(up.exitValue()).as(log()).isEqualTo(AgentException.MANAGEMENT);
        assertThat(log()).contains("unreachable");
        assertThat(interfaceExists()).isFalse();
        assertThat(configDir.resolve("tern.pid")).doesNotExist();
    }
}

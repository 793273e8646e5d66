package dev.tern.agent;

import dev.tern.agent.control.FakeManagementServer;
import dev.tern.agent.control.FakeSignalServer;
import dev.tern.agent.daemon.Preflight;
import dev.tern.agent.dataplane.Shell;
import dev.tern.agent.dns.FakeUpstream;
import dev.tern.agent.status.StatusReport;
import dev.tern.protocol.management.CustomZone;
import dev.tern.protocol.management.DNSConfig;
import dev.tern.protocol.management.NameServer;
import dev.tern.protocol.management.NameServerGroup;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PeerConfig;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.SimpleRecord;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real {@code tern up} in its own network namespace whose resolv.conf ({@code /etc/netns/NS/resolv.conf}, which
 * {@code ip netns exec} mounts over {@code /etc/resolv.conf}) names an upstream on the host side of a bridge:
 * after a map with DNS, {@code dig} in the namespace gets peer names and custom-zone records from the agent's
 * resolver, a match domain's answers from its nameserver group, other names from the original upstream;
 * {@code tern down}, SIGTERM, and {@code tern down} after the agent was killed put the namespace's resolv.conf back. The
 * host's own {@code /etc/resolv.conf} is byte-identical afterwards. Needs root, wireguard-go, ip, nft and dig;
 * fails (never skips) without them.
 */
class AgentDnsNamespaceTest {
    private final String tag = HexFormat.of().formatHex(new byte[]{
            (byte) ThreadLocalRandom.current().nextInt(), (byte) ThreadLocalRandom.current().nextInt(),
            (byte) ThreadLocalRandom.current().nextInt()});
    private final String subnet = "10.96." + (1 + ThreadLocalRandom.current().nextInt(250)) + ".";
    private final String bridge = "td" + tag;
    private final String ns = "tern-d-" + tag;
    private final Path nsEtc = Path.of("/etc/netns", ns);
    private final Shell host = new Shell();
    private final FakeManagementServer management = new FakeManagementServer();
    private final FakeSignalServer signal = new FakeSignalServer();
    private final List<Process> processes = new ArrayList<>();
    private final List<AutoCloseable> upstreams = new ArrayList<>();
    private Server managementServer;
    private Server signalServer;
    private byte[] hostResolvConf;
    private String originalResolvConf;

    @TempDir
    Path temp;

    @BeforeEach
    void setUp() throws Exception {
        for (String tool : List.of("wireguard-go", "ip", "nft", "dig")) {
            if (!Shell.onPath(tool)) {
                throw new AssertionError(tool + " is missing: apt-get install -y wireguard-go wireguard-tools nftables "
                        + "iproute2 bind9-dnsutils (this test never skips)");
            }
        }
        Preflight.requireRoot();
        hostResolvConf = Files.readAllBytes(Path.of("/etc/resolv.conf"));
        host.check("bridge", List.of("ip", "link", "add", bridge, "type", "bridge"), null);
        host.check("bridge addr", List.of("ip", "addr", "add", subnet + "1/24", "dev", bridge), null);
        host.check("bridge up", List.of("ip", "link", "set", bridge, "up"), null);
        managementServer = NettyServerBuilder.forAddress(new InetSocketAddress(subnet + "1", 0)).addService(management).build().start();
        signalServer = NettyServerBuilder.forAddress(new InetSocketAddress(subnet + "1", 0))
                .addService(signal.withHeaderRegistration()).build().start();
        management.signalUri = subnet + "1:" + signalServer.getPort();

        host.check("netns", List.of("ip", "netns", "add", ns), null);
        String outside = "td" + tag + "a";
        host.check("veth", List.of("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns), null);
        host.check("enslave", List.of("ip", "link", "set", outside, "master", bridge, "up"), null);
        Shell inside = Shell.inNamespace(ns);
        inside.check("addr", List.of("ip", "addr", "add", subnet + "2/24", "dev", "eth0"), null);
        inside.check("up", List.of("ip", "link", "set", "eth0", "up"), null);
        inside.check("lo", List.of("ip", "link", "set", "lo", "up"), null);
        originalResolvConf = "# the namespace's own\nnameserver " + subnet + "1\noptions timeout:2\n";
        Files.createDirectories(nsEtc);
        Files.writeString(nsEtc.resolve("resolv.conf"), originalResolvConf);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        for (AutoCloseable upstream : upstreams) {
            upstream.close();
        }
        if (managementServer != null) {
            managementServer.shutdownNow();
        }
        if (signalServer != null) {
            signalServer.shutdownNow();
        }
        host.run(List.of("ip", "netns", "del", ns), null);
        host.run(List.of("ip", "link", "del", bridge), null);
        Files.deleteIfExists(nsEtc.resolve("resolv.conf"));
        Files.deleteIfExists(nsEtc);
        if (hostResolvConf != null) {
            assertThat(Files.readAllBytes(Path.of("/etc/resolv.conf"))).as("the host's resolv.conf is never touched")
                    .isEqualTo(hostResolvConf);
        }
    }

    private FakeUpstream upstream(int port) throws Exception {
        FakeUpstream upstream = new FakeUpstream(new InetSocketAddress(subnet + "1", port), false);
        upstreams.add(upstream);
        return upstream;
    }

    private Process tern(Path configDir, String log, String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, java, "-cp",
                System.getProperty("java.class.path"), TernCli.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("--config-dir", configDir.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(temp.resolve(log).toFile())).start();
        processes.add(process);
        return process;
    }

    private Process up(Path configDir) throws Exception {
        return up(configDir, "tn" + tag);
    }

    private Process up(Path configDir, String iface) throws Exception {
        return tern(configDir, "agent.log", "up", "--setup-key", FakeManagementServer.SETUP_KEY,
                "--management-url", "http://" + subnet + "1:" + managementServer.getPort(), "--interface", iface,
                "--wg-port", "51820", "--hostname", "a");
    }

    private void down(Path configDir) throws Exception {
        Process down = tern(configDir, "down.log", "down");
        assertThat(down.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(down.exitValue()).as(logs()).isZero();
    }

    private String logs() throws Exception {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("agent.log", "down.log")) {
            Path file = temp.resolve(name);
            if (Files.exists(file)) {
                out.append("--- ").append(name).append('\n').append(Files.readString(file));
            }
        }
        return out.toString();
    }

    private String dig(String name) {
        Shell.Result result = Shell.inNamespace(ns).run(List.of("dig", "+short", "+time=2", "+tries=1", name), null);
        return result.stdout().strip();
    }

    private String resolvConf() throws Exception {
        return Files.readString(nsEtc.resolve("resolv.conf"));
    }

    private static String ip(String cidr) {
        return cidr.substring(0, cidr.indexOf('/'));
    }

    private static SimpleRecord a(String name, String ip) {
        return SimpleRecord.newBuilder().setName(name).setType(1).setClass_("IN").setTTL(300).setRData(ip).build();
    }

    private String startAndPushDnsMap(Path configDir, FakeUpstream corp, Process agent) throws Exception {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("the agent exited", () -> !agent.isAlive())
                .until(() -> !management.syncStreams.isEmpty());
        String keyA = new ConfigDir(configDir).readState().orElseThrow().publicKey();
        String keyB = TestKeys.publicKey();
        String meshB = ip(management.addressOf(keyB));
        DNSConfig dns = DNSConfig.newBuilder().setServiceEnable(true)
                .addCustomZones(CustomZone.newBuilder().setDomain("tern.internal.")
                        .addRecords(a("a.tern.internal.", ip(management.addressOf(keyA))))
                        .addRecords(a("build01.tern.internal.", meshB)))
                .addCustomZones(CustomZone.newBuilder().setDomain("svc.example.").setSearchDomainDisabled(true)
                        .addRecords(a("registry.svc.example.", "100.64.9.9")))
                .addNameServerGroups(NameServerGroup.newBuilder().addDomains("corp.example")
                        .addNameServers(NameServer.newBuilder().setIP(subnet + "1").setNSType(1)
                                .setPort(corp.address().getPort())))
                .build();
        management.push(keyA, NetworkMap.newBuilder().setSerial(management.syncStreams.size() + 1L)
                .setPeerConfig(PeerConfig.newBuilder().setAddress(management.addressOf(keyA)).setFqdn("a.tern.internal"))
                .addRemotePeers(RemotePeerConfig.newBuilder().setWgPubKey(keyB).addAllowedIps(meshB + "/32")
                        .setFqdn("build01.tern.internal"))
                .setDNSConfig(dns).build());
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .failFast("the agent exited", () -> !agent.isAlive())
                .until(() -> resolvConf().startsWith("# Generated by tern"));
        return meshB;
    }

    @Test
    void digInTheNamespaceGetsMeshNamesAndTheOriginalUpstreamAndDownPutsResolvConfBack() throws Exception {
        FakeUpstream original = upstream(53).answering("www.example.com.", "192.0.2.1");
        FakeUpstream corp = upstream(5353).answering("git.corp.example.", "10.20.0.5");
        Path configDir = temp.resolve("a");
        Process agent = up(configDir);
        String meshB = startAndPushDnsMap(configDir, corp, agent);
        String meshA = ip(management.addressOf(new ConfigDir(configDir).readState().orElseThrow().publicKey()));

        assertThat(resolvConf()).as(logs()).contains("nameserver " + meshA + "\n", "search tern.internal\n",
                "options timeout:2\n").doesNotContain("nameserver " + subnet + "1");
        assertThat(dig("build01.tern.internal")).as(logs()).isEqualTo(meshB);
        assertThat(dig("registry.svc.example")).isEqualTo("100.64.9.9");
        assertThat(dig("git.corp.example")).isEqualTo("10.20.0.5");
        assertThat(dig("www.example.com")).isEqualTo("192.0.2.1");
        assertThat(corp.questions).containsExactly(Name.fromString("git.corp.example."));
        assertThat(original.questions).containsExactly(Name.fromString("www.example.com."));
        assertThat(Shell.inNamespace(ns).run(List.of("dig", "+time=2", "+tries=1", "nope.tern.internal"), null).stdout())
                .contains("status: NXDOMAIN");

        // Not an open resolver: the host side of the bridge, routed to A's mesh IP, gets no answer over UDP or TCP.
        host.check("route to A's mesh IP", List.of("ip", "route", "add", meshA + "/32", "via", subnet + "2"), null);
        assertThat(host.run(List.of("dig", "@" + meshA, "+time=2", "+tries=1", "build01.tern.internal"), null).ok())
                .isFalse();
        assertThat(host.run(List.of("dig", "+tcp", "@" + meshA, "+time=2", "+tries=1", "build01.tern.internal"), null)
                .stdout()).doesNotContain(meshB);
        assertThat(Shell.inNamespace(ns).run(List.of("dig", "+short", "+tcp", "@" + meshA, "build01.tern.internal"), null)
                .stdout().strip()).as("the same question from the namespace itself, over TCP").isEqualTo(meshB);

        StatusReport.Dns status = status(configDir).dns();
        assertThat(status.resolver()).isEqualTo(meshA + ":53");
        assertThat(status.hostConfig()).isEqualTo("resolv.conf");
        assertThat(status.zones()).containsExactly("tern.internal.", "svc.example.");
        assertThat(status.upstream()).containsExactly(subnet + "1:53");

        down(configDir);
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resolvConf()).isEqualTo(originalResolvConf);
        assertThat(configDir.resolve("resolv.conf.backup")).doesNotExist();
    }

    @Test
    void sigtermPutsResolvConfBack() throws Exception {
        FakeUpstream corp = upstream(5353);
        Path configDir = temp.resolve("a");
        Process agent = up(configDir);
        startAndPushDnsMap(configDir, corp, agent);

        agent.destroy(); // SIGTERM (ip netns exec runs java in its own process)
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resolvConf()).as(logs()).isEqualTo(originalResolvConf);
    }

    @Test
    void afterTheAgentIsKilledTernDownPutsResolvConfBack() throws Exception {
        FakeUpstream corp = upstream(5353);
        Path configDir = temp.resolve("a");
        Process agent = up(configDir);
        startAndPushDnsMap(configDir, corp, agent);

        agent.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resolvConf()).startsWith("# Generated by tern");

        down(configDir);
        assertThat(resolvConf()).isEqualTo(originalResolvConf);
        assertThat(Files.exists(configDir.resolve("resolv.conf.backup"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void afterTheAgentIsKilledTheNextTernUpPutsResolvConfBackFirst() throws Exception {
        FakeUpstream corp = upstream(5353);
        Path configDir = temp.resolve("a");
        Process agent = up(configDir);
        startAndPushDnsMap(configDir, corp, agent);
        agent.destroyForcibly();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resolvConf()).startsWith("# Generated by tern");

        // the killed agent's wireguard-go may still hold its interface: the next run takes another name
        Process next = up(configDir, "tm" + tag);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .failFast("the agent exited", () -> !next.isAlive())
                .until(() -> resolvConf().equals(originalResolvConf));
        assertThat(configDir.resolve("resolv.conf.backup")).doesNotExist();
        assertThat(next.isAlive()).as(logs()).isTrue();
    }

    private static StatusReport status(Path configDir) {
        StringWriter out = new StringWriter();
        int code = TernCli.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "status", "--json", "--config-dir", configDir.toString());
        assertThat(code).isZero();
        return StatusReport.fromJson(out.toString());
    }
}

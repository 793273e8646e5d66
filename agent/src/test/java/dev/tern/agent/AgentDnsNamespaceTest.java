package dev.tern.agent;

import dev.tern.agent.control.FakeManagementServer;
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
import java.util.List;
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
    private final List<AutoCloseable> upstreams = new ArrayList<>();
    private NamespaceBed bed;
    private FakeManagementServer management;
    private String subnet;
    private String ns;
    private Path nsEtc;
    private byte[] hostResolvConf;
    private String originalResolvConf;

    @TempDir
    Path temp;

    @BeforeEach
    void setUp() throws Exception {
        hostResolvConf = Files.readAllBytes(Path.of("/etc/resolv.conf"));
        bed = new NamespaceBed("n", "10.96", temp, List.of("wireguard-go", "ip", "nft", "dig"));
        management = bed.management;
        subnet = bed.subnet;
        ns = bed.addNamespace("a", 2);
        nsEtc = Path.of("/etc/netns", ns);
        originalResolvConf = "# the namespace's own\nnameserver " + subnet + "1\noptions timeout:2\n";
        Files.createDirectories(nsEtc);
        Files.writeString(nsEtc.resolve("resolv.conf"), originalResolvConf);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (bed != null) {
            bed.close();
        }
        for (AutoCloseable upstream : upstreams) {
            upstream.close();
        }
        if (nsEtc != null) {
            Files.deleteIfExists(nsEtc.resolve("resolv.conf"));
            Files.deleteIfExists(nsEtc);
        }
        assertThat(Files.readAllBytes(Path.of("/etc/resolv.conf"))).as("the host's resolv.conf is never touched")
                .isEqualTo(hostResolvConf);
    }

    private FakeUpstream upstream(int port) throws Exception {
        FakeUpstream upstream = new FakeUpstream(new InetSocketAddress(bed.hostIp(), port), false);
        upstreams.add(upstream);
        return upstream;
    }

    private Process up(Path configDir) throws Exception {
        return up(configDir, "td" + bed.tag);
    }

    private Process up(Path configDir, String iface) throws Exception {
        return bed.tern(ns, "agent.log", List.of("up", "--setup-key", FakeManagementServer.SETUP_KEY,
                "--management-url", bed.managementUrl(), "--interface", iface, "--wg-port", "51820",
                "--hostname", "a", "--config-dir", configDir.toString()));
    }

    private void down(Path configDir) throws Exception {
        Process down = bed.tern(ns, "down.log", List.of("down", "--config-dir", configDir.toString()));
        assertThat(down.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(down.exitValue()).as(logs()).isZero();
    }

    private String logs() throws Exception {
        return bed.logs("agent.log", "down.log");
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
                        .addNameServers(NameServer.newBuilder().setIP(bed.hostIp()).setNSType(1)
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
                "options timeout:2\n").doesNotContain("nameserver " + bed.hostIp());
        assertThat(dig("build01.tern.internal")).as(logs()).isEqualTo(meshB);
        assertThat(dig("registry.svc.example")).isEqualTo("100.64.9.9");
        assertThat(dig("git.corp.example")).isEqualTo("10.20.0.5");
        assertThat(dig("www.example.com")).isEqualTo("192.0.2.1");
        assertThat(corp.questions).containsExactly(Name.fromString("git.corp.example."));
        assertThat(original.questions).containsExactly(Name.fromString("www.example.com."));
        assertThat(Shell.inNamespace(ns).run(List.of("dig", "+time=2", "+tries=1", "nope.tern.internal"), null).stdout())
                .contains("status: NXDOMAIN");

        // Not an open resolver: the host side of the bridge, routed to A's mesh IP, gets no answer over UDP or TCP.
        bed.host.check("route to A's mesh IP", List.of("ip", "route", "add", meshA + "/32", "via", subnet + "2"), null);
        assertThat(bed.host.run(List.of("dig", "@" + meshA, "+time=2", "+tries=1", "build01.tern.internal"), null).ok())
                .isFalse();
        assertThat(bed.host.run(List.of("dig", "+tcp", "@" + meshA, "+time=2", "+tries=1", "build01.tern.internal"), null)
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

    /** A running agent whose map has DNS: the namespace's resolv.conf is its own by now. */
    private Process upWithDns(Path configDir) throws Exception {
        Process agent = up(configDir);
        startAndPushDnsMap(configDir, upstream(5353), agent);
        return agent;
    }

    /** SIGKILL: no shutdown hook runs, the namespace's resolv.conf stays pointed at the dead resolver. */
    private void kill(Process agent) throws Exception {
        agent.destroyForcibly();
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resolvConf()).startsWith("# Generated by tern");
    }

    @Test
    void sigtermPutsResolvConfBack() throws Exception {
        Process agent = upWithDns(temp.resolve("a"));

        agent.destroy(); // SIGTERM (ip netns exec runs java in its own process)
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(resolvConf()).as(logs()).isEqualTo(originalResolvConf);
    }

    @Test
    void afterTheAgentIsKilledTernDownPutsResolvConfBack() throws Exception {
        Path configDir = temp.resolve("a");
        kill(upWithDns(configDir));

        down(configDir);
        assertThat(resolvConf()).isEqualTo(originalResolvConf);
        assertThat(Files.exists(configDir.resolve("resolv.conf.backup"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void afterTheAgentIsKilledTheNextTernUpPutsResolvConfBackFirst() throws Exception {
        Path configDir = temp.resolve("a");
        kill(upWithDns(configDir));

        // the killed agent's wireguard-go may still hold its interface: the next run takes another name
        Process next = up(configDir, "te" + bed.tag);
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

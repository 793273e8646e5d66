package dev.tern.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.tern.e2e.support.Mesh.log;
import static dev.tern.e2e.support.Mesh.nft;
import static dev.tern.e2e.support.Mesh.ping;
import static dev.tern.e2e.support.Mesh.policy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.e2e.support.NatHost;
import dev.tern.e2e.support.NetBirdClient;
import dev.tern.e2e.support.Rest;
import dev.tern.e2e.support.TernServer;
import dev.tern.e2e.support.TestBed;
import dev.tern.testsupport.netns.Shell;
import dev.tern.testsupport.netns.TestNetwork;
import dev.tern.testsupport.process.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 9 item 5, a mixed fleet: a tern agent and NetBird's real client (the newest pinned release) in their own
 * network namespaces, against one tern-server, in one group with an all-to-all policy: relayed while UDP between
 * them is dropped, directly over ICE once it opens, and directly behind two NATs (server-reflexive candidates from
 * Tern's STUN). The steps run in order on one test bed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MixedFleetEndToEndTest {

    private static final Duration CONVERGE = Duration.ofSeconds(90);
    /** Namespaces and links are named t&lt;label&gt;ic&lt;n&gt; (TestNetwork's scheme), apart from the other e2e runs. */
    private static final String RUN = "ic" + ThreadLocalRandom.current().nextInt(100, 999);
    /** 10.231.78.0/24: MeshEndToEndTest takes 10.231.100-199, NetBirdClientEndToEndTest 10.231.77. */
    private static final int SUBNET_OCTET = 78;

    private static TestBed bed;
    private static TestNetwork net;
    private static TernServer server;
    private static Rest rest;
    private static NetBirdClient netbird;
    private static ChildProcess agent;
    private static String agentNs;
    private static String netbirdNs;
    private static Path agentConfigDir;
    private static Path setupKeyFile;
    private static String setupKey;
    private static NatHost agentBehindNat;
    private static NatHost clientBehindNat;
    private static ChildProcess natAgent;
    private static Path natAgentConfigDir;
    private static NetBirdClient natClient;

    @BeforeAll
    static void buildTestBed() throws Exception {
        Shell.requireRootAndTools("ip", "nft", "ping", "wg", "wireguard-go");
        ChildProcess.artifact("../agent/target/tern.jar");
        NetBirdClient.binary(NetBirdClient.NEWEST);
        bed = TestBed.plain(RUN, SUBNET_OCTET, "tern-server-mixed-" + RUN, Map.of(), "mixed-e2e@example.com",
                "Mixed Fleet Admin");
        net = bed.net();
        server = bed.server();
        rest = bed.rest();
        String group = rest.post("/api/groups", Map.of("name", "mixed")).get("id").asText();
        setupKey = rest.post("/api/setup-keys", Map.of("name", "mixed-key", "type", "reusable",
                "expires_in", 86400, "auto_groups", List.of(group), "usage_limit", 10)).get("key").asText();
        rest.post("/api/policies", policy("mixed-all", group, group, true, "all", List.of()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (agent != null) {
            agent.stopTree(Duration.ofSeconds(15));
        }
        if (natAgent != null) {
            natAgent.stopTree(Duration.ofSeconds(15));
        }
        NetBirdClient.closeAll(Arrays.asList(netbird, natClient));
        for (NatHost host : new NatHost[] {agentBehindNat, clientBehindNat}) {
            if (host != null) {
                host.close();
            }
        }
        if (bed != null) {
            bed.close();
        }
        if (setupKeyFile != null) {
            Files.deleteIfExists(setupKeyFile);
        }
    }

    @Test
    @Order(10)
    void withoutUdpBetweenThemAnAgentAndANetBirdClientConnectThroughTheRelayAndBothSaySo() throws Exception {
        agentNs = net.addHost("t");
        netbirdNs = net.addHost("n");
        // UDP between the two hosts is dropped (both directions, in the client's namespace); TCP to tern-server
        // (management, signal, the relay's WebSocket) and UDP to it (STUN) stay open.
        String agentAddress = net.hostAddress(agentNs);
        nft(netbirdNs, "add table inet mixed");
        nft(netbirdNs, "add chain inet mixed out { type filter hook output priority 0 ; }");
        nft(netbirdNs, "add chain inet mixed in { type filter hook input priority 0 ; }");
        nft(netbirdNs, "add rule inet mixed out ip daddr " + agentAddress + " meta l4proto udp drop");
        nft(netbirdNs, "add rule inet mixed in ip saddr " + agentAddress + " meta l4proto udp drop");

        agentConfigDir = Files.createTempDirectory("tern-e2e-mixed-agent-");
        agent = startAgent(agentNs, "t", agentConfigDir, "tern-tango");
        netbird = NetBirdClient.startDaemon("n-" + RUN, NetBirdClient.NEWEST, netbirdNs, "wtn" + RUN,
                java.net.URI.create(server.managementUrl()));
        Shell.Result up = netbird.up(server.managementUrl(), setupKey, "nb-november");
        assertThat(up.ok()).as("netbird up failed: %s\n%s", up.output(), netbird.logTail(60)).isTrue();

        await("both registered with tern-server").atMost(CONVERGE).untilAsserted(() -> {
            List<String> names = new ArrayList<>();
            rest.get("/api/peers").forEach(p -> names.add(p.path("name").asText()));
            assertThat(names).as(diagnostics()).contains("tern-tango", "nb-november");
        });
        String agentIp = meshIp("tern-tango");
        String netbirdIp = meshIp("nb-november");
        await("the NetBird client and the agent connected, relayed").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode fromNetBird = netbird.peer(agentIp).orElseThrow(() ->
                    new AssertionError("agent missing from netbird status: " + netbird.status() + diagnostics()));
            assertThat(fromNetBird.path("status").asText()).as(fromNetBird + diagnostics()).isEqualTo("Connected");
            assertThat(fromNetBird.path("connectionType").asText()).as(fromNetBird.toString()).isEqualTo("Relayed");
            JsonNode fromAgent = agentPeer(netbirdIp);
            assertThat(fromAgent.path("state").asText()).as(fromAgent + diagnostics()).isEqualTo("connected");
            assertThat(fromAgent.path("connectionType").asText()).as(fromAgent.toString()).isEqualTo("relayed");
        });
        await("the NetBird client pings the agent through the relay").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping(netbirdNs, agentIp).ok()).as(diagnostics()).isTrue());
        assertThat(ping(agentNs, netbirdIp).ok()).as(diagnostics()).isTrue();
    }

    @Test
    @Order(20)
    void onceUdpBetweenThemOpensTheyMoveToADirectIcePathAndBothSaySo() throws Exception {
        // The agent offers ICE to the relayed client again (every 30 s); its new session makes the client run ICE
        // too, and the pair they select carries WireGuard: P2P for the client, direct for the agent.
        nft(netbirdNs, "delete table inet mixed");
        String agentIp = meshIp("tern-tango");
        String netbirdIp = meshIp("nb-november");

        await("the NetBird client and the agent connected directly").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode fromNetBird = netbird.peer(agentIp).orElseThrow(() ->
                    new AssertionError("agent missing from netbird status: " + netbird.status() + diagnostics()));
            assertThat(fromNetBird.path("status").asText()).as(fromNetBird + diagnostics()).isEqualTo("Connected");
            assertThat(fromNetBird.path("connectionType").asText()).as(fromNetBird + diagnostics())
                    .isEqualTo("P2P");
            JsonNode fromAgent = agentPeer(netbirdIp);
            assertThat(fromAgent.path("state").asText()).as(fromAgent + diagnostics()).isEqualTo("connected");
            assertThat(fromAgent.path("connectionType").asText()).as(fromAgent.toString()).isEqualTo("direct");
        });
        await("the NetBird client pings the agent directly").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping(netbirdNs, agentIp).ok()).as(diagnostics()).isTrue());
        assertThat(ping(agentNs, netbirdIp).ok()).as(diagnostics()).isTrue();
        // still direct after the pings: WireGuard's traffic went over the ICE pair, not back to the relay
        assertThat(netbird.peer(agentIp).orElseThrow().path("connectionType").asText()).isEqualTo("P2P");
        assertThat(agentPeer(netbirdIp).path("connectionType").asText()).isEqualTo("direct");
    }

    @Test
    @Order(30)
    void behindTwoNatsTheAgentAndTheClientConnectDirectlyThroughServerReflexiveCandidates() throws Exception {
        String agentRouter = net.addHost("ra");
        String clientRouter = net.addHost("rn");
        // forwarded: the agent's ICE ports (ice4j binds host candidates in 49152-65535), the client's (its
        // WireGuard port, where its ICE runs too)
        agentBehindNat = new NatHost(agentRouter, net.hostAddress(agentRouter), "xa" + RUN, 73, "49152-65535");
        clientBehindNat = new NatHost(clientRouter, net.hostAddress(clientRouter), "xn" + RUN, 74, "51820");
        natAgentConfigDir = Files.createTempDirectory("tern-e2e-mixed-nat-agent-");
        natAgent = startAgent(agentBehindNat.namespace(), "x", natAgentConfigDir, "tern-nat");
        natClient = NetBirdClient.startDaemon("xn-" + RUN, NetBirdClient.NEWEST, clientBehindNat.namespace(),
                "wty" + RUN, java.net.URI.create(server.managementUrl()));
        Shell.Result up = natClient.up(server.managementUrl(), setupKey, "nb-nat");
        assertThat(up.ok()).as("netbird up failed: %s\n%s", up.output(), natClient.logTail(60)).isTrue();
        await("both NAT'ed peers registered").atMost(CONVERGE).untilAsserted(() -> {
            List<String> names = new ArrayList<>();
            rest.get("/api/peers").forEach(p -> names.add(p.path("name").asText()));
            assertThat(names).contains("tern-nat", "nb-nat");
        });
        String agentIp = meshIp("tern-nat");
        String clientIp = meshIp("nb-nat");

        // Each sees the other at the other's router (a server-reflexive candidate from Tern's STUN), never at its
        // private 192.168.7x address, and peer to peer rather than through the relay.
        await("the NAT'ed agent and client connected directly").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode fromClient = natClient.peer(agentIp).orElseThrow(() -> new AssertionError(
                    "agent missing from netbird status: " + natClient.status() + natDiagnostics()));
            assertThat(fromClient.path("status").asText()).as(fromClient + natDiagnostics()).isEqualTo("Connected");
            assertThat(fromClient.path("connectionType").asText()).as(fromClient + natDiagnostics())
                    .isEqualTo("P2P");
            assertThat(fromClient.path("iceCandidateEndpoint").path("remote").asText()).as(fromClient.toString())
                    .startsWith(net.hostAddress(agentRouter) + ":");
            JsonNode fromAgent = agentPeer(agentBehindNat.namespace(), natAgentConfigDir, clientIp);
            assertThat(fromAgent.path("state").asText()).as(fromAgent + natDiagnostics()).isEqualTo("connected");
            assertThat(fromAgent.path("connectionType").asText()).as(fromAgent.toString()).isEqualTo("direct");
        });
        await("the NAT'ed client pings the agent").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping(clientBehindNat.namespace(), agentIp).ok()).as(natDiagnostics()).isTrue());
        assertThat(ping(agentBehindNat.namespace(), clientIp).ok()).as(natDiagnostics()).isTrue();
        assertThat(natClient.peer(agentIp).orElseThrow().path("connectionType").asText()).isEqualTo("P2P");
    }

    // ---------------------------------------------------------------------------------------------------------

    private static ChildProcess startAgent(String namespace, String label, Path configDir, String hostname)
            throws Exception {
        if (setupKeyFile == null) {
            setupKeyFile = Files.createTempFile("tern-e2e-mixed-", ".setup-key",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(setupKeyFile, setupKey + "\n");
        }
        return ChildProcess.start("agent-" + label + "-" + RUN,
                Shell.inNamespace(namespace, ChildProcess.java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar",
                        ChildProcess.artifact("../agent/target/tern.jar"), "up",
                        "--setup-key-file", setupKeyFile.toString(), "--management-url", server.managementUrl(),
                        "--interface", "wt" + label + RUN, "--config-dir", configDir.toString(),
                        "--wg-port", "51820", "--hostname", hostname),
                Map.of(), log("agent-" + label + "-" + RUN));
    }

    /** How the agent's {@code tern status --json} reports the peer with this mesh IP. */
    private static JsonNode agentPeer(String meshIp) {
        return agentPeer(agentNs, agentConfigDir, meshIp);
    }

    private static JsonNode agentPeer(String namespace, Path configDir, String meshIp) {
        Shell.Result r = Shell.run(Shell.inNamespace(namespace, ChildProcess.java(), "-jar",
                ChildProcess.artifact("../agent/target/tern.jar"), "status", "--json",
                "--config-dir", configDir.toString()), 30);
        assertThat(r.ok()).as("tern status failed: %s", r.output()).isTrue();
        JsonNode status;
        try {
            status = Rest.JSON.readTree(r.output());
        } catch (Exception e) {
            throw new AssertionError("tern status --json is not JSON: " + r.output(), e);
        }
        return StreamSupport.stream(status.path("peers").spliterator(), false)
                .filter(p -> p.path("meshIp").asText().equals(meshIp)).findFirst()
                .orElseThrow(() -> new AssertionError(meshIp + " missing from tern status: " + status));
    }

    private static String meshIp(String name) {
        for (JsonNode p : rest.get("/api/peers")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("ip").asText();
            }
        }
        throw new AssertionError("no peer named " + name + " in " + rest.get("/api/peers"));
    }

    private static String natDiagnostics() {
        return "\n--- NAT'ed agent log:\n" + natAgent.logTail(30)
                + "\n--- NAT'ed netbird daemon log:\n" + natClient.logTail(30)
                + "\n--- tern-server log:\n" + server.logTail(20);
    }

    private static String diagnostics() {
        return "\n--- agent log:\n" + agent.logTail(30)
                + "\n--- netbird daemon log:\n" + netbird.logTail(30)
                + "\n--- tern-server log:\n" + server.logTail(20);
    }
}

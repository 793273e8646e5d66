package dev.tern.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.tern.e2e.support.Mesh.log;
import static dev.tern.e2e.support.Mesh.policy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.e2e.support.Dnsmasq;
import dev.tern.e2e.support.Mesh;
import dev.tern.e2e.support.Rest;
import dev.tern.e2e.support.TernServer;
import dev.tern.e2e.support.TestBed;
import dev.tern.e2e.support.TestPki;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import dev.tern.testsupport.netns.Shell;
import dev.tern.testsupport.netns.TestNetwork;
import dev.tern.testsupport.process.ChildProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 3's end-to-end scenario, with real processes and real WireGuard: tern-server (with its in-process signal
 * node and relay) in one network namespace, three `tern` agents A, B, C in three more, joined by a bridge. Groups
 * dev {A, B} and prod {C}; policy dev↔dev. A fourth agent D in dev, without a UDP path to A or B, joins while B is
 * away waiting out its inactivity expiration. The steps build on each other, so they run in order on one shared
 * test bed.
 *
 * <p>The control plane runs over TLS as an operator would deploy it: a private CA made here signs tern-server's
 * certificate (TERN_TLS_CERT_FILE/TERN_TLS_KEY_FILE) for the address the agents reach it at; the agents get
 * {@code https://} management URLs, the CA with {@code --ca-file} and their setup keys from 0600 files; REST calls
 * and curl trust that CA only.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MeshEndToEndTest {

    private static final Duration CONVERGE = Duration.ofSeconds(45);
    private static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");
    private static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 9999));

    private static TestBed bed;
    private static TestNetwork net;
    private static TernServer server;
    private static Rest rest;
    private static TestPki pki;
    private static final Map<String, Agent> agents = new HashMap<>();
    private static final List<ChildProcess> helpers = new ArrayList<>();
    private static String devGroup;
    private static String prodGroup;
    private static String devPolicy;
    private static final List<String> setupKeys = new ArrayList<>();
    /** The host's resolver configuration before the test: no agent may change it (theirs is their namespace's). */
    private static byte[] hostResolvConf;
    /** The network's own DNS server, which every agent host's resolv.conf names before {@code tern up}. */
    private static Dnsmasq originalUpstream;
    /** What the agent hosts' resolv.conf says before {@code tern up}, byte for byte. */
    private static byte[] originalResolvConf;
    /** corp.example's own DNS server, reached through a nameserver group. */
    private static Dnsmasq corpDns;
    private static String corpNameServerGroup;

    record Agent(String label, String namespace, String iface, Path configDir, String hostname, Path setupKeyFile,
                 ChildProcess process) {
    }

    @BeforeAll
    static void buildTestBed() throws Exception {
        Shell.requireRootAndTools("wireguard-go", "wg", "ip", "nft", "ping", "bash", "timeout", "dig", "dnsmasq");
        hostResolvConf = Files.readAllBytes(HOST_RESOLV_CONF);
        ChildProcess.artifact("../agent/target/tern.jar");
        // expiries are checked every second, so the inactivity scenario waits for the period, not the check
        bed = TestBed.tls(RUN, 100 + Integer.parseInt(RUN) % 100, "tern-server-" + RUN,
                network -> Map.of("TERN_EXPIRY_CHECK_INTERVAL", "1s"), "e2e@example.com", "E2E Admin");
        net = bed.net();
        pki = bed.pki();
        server = bed.server();
        rest = bed.rest();

        devGroup = rest.post("/api/groups", Map.of("name", "dev")).get("id").asText();
        prodGroup = rest.post("/api/groups", Map.of("name", "prod")).get("id").asText();
        String devKey = rest.post("/api/setup-keys", Map.of("name", "dev-key", "type", "reusable",
                "expires_in", 86400, "auto_groups", List.of(devGroup), "usage_limit", 2)).get("key").asText();
        String prodKey = rest.post("/api/setup-keys", Map.of("name", "prod-key", "type", "one-off",
                "expires_in", 86400, "auto_groups", List.of(prodGroup), "usage_limit", 1)).get("key").asText();
        devPolicy = rest.post("/api/policies", policy("dev-dev", devGroup, devGroup, true, "all", List.of()))
                .get("id").asText();

        // The names the agents' hosts resolve before tern up: this network's own DNS server. It also answers for
        // build01.corp.example, differently from corp's own server, so a test sees which one was asked.
        String upstreamHost = net.addHost("up");
        originalUpstream = Dnsmasq.start("dnsmasq-upstream-" + RUN, upstreamHost, net.hostAddress(upstreamHost),
                Map.of("outside.test", "192.0.2.80", "build01.corp.example", "192.0.2.99"));
        helpers.add(originalUpstream.process());
        originalResolvConf = ("# this network's resolver\nnameserver " + originalUpstream.address()
                + "\nsearch lan.test\noptions timeout:2\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        startAgent("a", "alpha", devKey);
        startAgent("b", "bravo", devKey);
        startAgent("c", "charlie", prodKey);
    }

    private static void startAgent(String label, String hostname, String setupKey) throws Exception {
        String ns = net.addHost(label);
        Files.write(namespaceResolvConf(ns), originalResolvConf);
        String iface = "wt" + label + RUN;
        Path configDir = Files.createTempDirectory("tern-e2e-" + label + "-");
        runAgent(label, ns, iface, configDir, hostname, setupKeyFile(label, setupKey));
    }

    /** The setup key as an operator hands it over: a file only its owner may read (the agent refuses any other). */
    private static Path setupKeyFile(String label, String setupKey) throws java.io.IOException {
        Path file = Files.createTempFile("tern-e2e-" + label + "-", ".setup-key",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, setupKey + "\n");
        setupKeys.add(setupKey);
        return file;
    }

    /** The agent's daemon, in the foreground of its process; again after a stop, with the same key and config. */
    private static void runAgent(String label, String ns, String iface, Path configDir, String hostname,
                                 Path setupKeyFile) {
        ChildProcess p = ChildProcess.start("agent-" + label + "-" + RUN,
                Shell.inNamespace(ns, ChildProcess.java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar",
                        ChildProcess.artifact("../agent/target/tern.jar"), "up",
                        "--setup-key-file", setupKeyFile.toString(),
                        "--management-url", server.managementUrl(),
                        "--ca-file", pki.caFile().toString(),
                        "--interface", iface, "--config-dir", configDir.toString(), "--wg-port", "51820",
                        "--hostname", hostname),
                Map.of(), log("agent-" + label + "-" + RUN));
        agents.put(label, new Agent(label, ns, iface, configDir, hostname, setupKeyFile, p));
    }

    @AfterAll
    static void tearDown() {
        for (ChildProcess h : helpers) {
            h.stopTree(Duration.ofSeconds(5));
        }
        for (Agent a : agents.values()) {
            a.process().stopTree(Duration.ofSeconds(15));
            Shell.run(Shell.inNamespace(a.namespace(), "ip", "link", "del", a.iface()), 10);
            try {
                Files.deleteIfExists(a.setupKeyFile());
            } catch (java.io.IOException e) {
                // a temp file; the OS cleans up
            }
        }
        if (bed != null) {
            bed.close();
        }
        if (hostResolvConf != null) {
            assertThat(readAll(HOST_RESOLV_CONF)).as("the host's /etc/resolv.conf after the agents stopped")
                    .isEqualTo(hostResolvConf);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Order(10)
    void agentsRegisterAndPeersInDevReachEachOther() {
        await("three peers registered and connected").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode peers = rest.get("/api/peers");
            assertThat(peers).hasSize(3);
            assertThat(peers).allSatisfy(p -> assertThat(p.get("connected").asBoolean()).isTrue());
        });
        await("A pings B over the mesh").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("a", meshIp("bravo")).ok()).as(diagnostics("a")).isTrue());
        assertThat(ping("b", meshIp("alpha")).ok()).isTrue();
    }

    @Test
    @Order(12)
    void theControlPlaneSpeaksTlsOnlyAndHandsOutTlsUrls() throws Exception {
        String address = net.serverAddress();
        await("A on management, signal and relay over TLS").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode status = status("a");
            assertThat(status.path("management").path("url").asText()).isEqualTo("https://" + address + ":33073");
            assertThat(status.path("management").path("state").asText()).isEqualTo("connected");
            // the signal node and relay URLs are what the server handed out over the TLS management connection
            assertThat(status.path("signal").path("url").asText()).isEqualTo("https://" + address + ":10000");
            assertThat(status.path("signal").path("state").asText()).isEqualTo("connected");
            assertThat(status.path("relay").path("url").asText()).isEqualTo("rels://" + address + ":33080");
            assertThat(status.path("relay").path("state").asText()).isEqualTo("connected");
        });

        // Plaintext clients get nothing from any listener.
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> restAnswer = plain.send(HttpRequest.newBuilder(
                        URI.create("http://" + address + ":8080/api/peers")).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Token " + rest.token()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(restAnswer.statusCode()).as(restAnswer.body()).isEqualTo(400); // Tomcat: "This combination of host and port requires TLS."
        assertThat(restAnswer.body()).doesNotContain("alpha");
        assertThat(grpcStatus(NettyChannelBuilder.forAddress(address, 33073)
                .sslContext(GrpcSslContexts.forClient().trustManager(pki.caFile().toFile()).build()).build(),
                channel -> ManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .isHealthy(Empty.getDefaultInstance())))
                .as("management gRPC over TLS, trusting the test CA").isEqualTo(Status.Code.OK);
        assertThat(grpcStatus(NettyChannelBuilder.forAddress(address, 33073).usePlaintext().build(),
                channel -> ManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .isHealthy(Empty.getDefaultInstance())))
                .as("management gRPC in plaintext").isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(grpcStatus(NettyChannelBuilder.forAddress(address, 10000).usePlaintext().build(),
                channel -> SignalExchangeGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .send(EncryptedMessage.getDefaultInstance())))
                .as("signal gRPC in plaintext").isEqualTo(Status.Code.UNAVAILABLE);
        assertThatThrownBy(() -> plain.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://" + address + ":33080/relay"), new WebSocket.Listener() {
                }).get(20, TimeUnit.SECONDS))
                .as("relay WebSocket in plaintext").isInstanceOf(ExecutionException.class);

        // The agents read their setup keys from files: no process's command line shows one.
        assertThat(setupKeys).hasSize(3);
        List<String> commandLines = ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")).toList();
        assertThat(commandLines).as("the agents' command lines are readable here").anyMatch(
                commandLine -> commandLine.contains("--setup-key-file"));
        assertThat(commandLines).noneMatch(commandLine -> setupKeys.stream().anyMatch(commandLine::contains));
    }

    /** Runs one call on {@code channel} (then closes it) and returns the call's status code. */
    private static Status.Code grpcStatus(ManagedChannel channel, java.util.function.Consumer<ManagedChannel> call)
            throws InterruptedException {
        try {
            call.accept(channel);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(15)
    void theSeedWorkflowRunsVerbatimWithCurl() {
        // curl trusts the test CA through its standard CURL_CA_BUNDLE variable, as an operator's shell would
        Shell.Result r = Shell.run(List.of("env", "TERN_URL=" + server.restUrl(), "CURL_CA_BUNDLE=" + pki.caFile(),
                "TOKEN=" + rest.token(), "bash", Path.of("..", "scripts", "seed-workflow.sh").toString()), 60);
        assertThat(r.ok()).as(r.output()).isTrue();
        assertThat(r.output()).contains("\"state\": \"valid\"", "\"usage_limit\": 10", "laptops-to-servers");
        for (String name : List.of("alpha", "bravo", "charlie")) {
            assertThat(r.output()).contains("\"name\": \"" + name + "\"", "\"ip\": \"" + meshIp(name) + "\"");
        }
        assertThat(r.output()).contains("\"connected\": true");
    }

    @Test
    @Order(20)
    void aCannotReachCWithoutAPolicy() {
        assertThat(ping("a", meshIp("charlie")).ok()).isFalse();
        assertThat(tcp("a", meshIp("charlie"), 22)).isFalse();
        JsonNode accessible = rest.get("/api/peers/" + peerId("alpha") + "/accessible-peers");
        assertThat(names(accessible)).containsExactly("bravo");
    }

    @Test
    @Order(30)
    void aOneWayTcp22PolicyOpensExactlyThat() {
        Agent c = agents.get("c");
        helpers.add(ChildProcess.start("tcp-listener-c-" + RUN,
                Shell.inNamespace(c.namespace(), ChildProcess.java(), "-cp", Path.of("target", "test-classes").toAbsolutePath().toString(),
                        "dev.tern.e2e.support.TcpListener", "22", "80"), Map.of(), log("tcp-listener-c-" + RUN)));
        String sshPolicy = rest.post("/api/policies",
                policy("dev-to-prod-ssh", devGroup, prodGroup, false, "tcp", List.of("22"))).get("id").asText();

        await("A opens tcp/22 on C").atMost(CONVERGE).untilAsserted(() ->
                assertThat(tcp("a", meshIp("charlie"), 22)).as(diagnostics("a") + diagnostics("c")).isTrue());
        assertThat(tcp("a", meshIp("charlie"), 80)).as("tcp/80 stays closed").isFalse();
        assertThat(ping("a", meshIp("charlie")).ok()).as("ping stays blocked").isFalse();
        assertThat(tcp("b", meshIp("charlie"), 22)).as("B is in dev too").isTrue();

        rest.delete("/api/policies/" + sshPolicy);
        await("removing the policy blocks tcp/22 again").atMost(CONVERGE).untilAsserted(() ->
                assertThat(tcp("a", meshIp("charlie"), 22)).isFalse());
    }

    @Test
    @Order(40)
    void restartingTheServerKeepsTunnelsUpAndAgentsResync() throws Exception {
        String bravo = meshIp("bravo");
        Path pinnedKey = agents.get("a").configDir().resolve("server.pub");
        String pinnedBefore = Files.readString(pinnedKey);
        server.stop();
        // Data plane does not need the control plane: A still reaches B while the server is down.
        assertThat(ping("a", bravo).ok()).as("tunnel survives the server going away").isTrue();
        server.start();
        await("agents resync after the restart").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode peers = rest.get("/api/peers");
            assertThat(peers).allSatisfy(p -> assertThat(p.get("connected").asBoolean()).isTrue());
            JsonNode status = status("a");
            assertThat(status.path("management").path("state").asText()).isEqualTo("connected");
            // signal reconnects on its own backoff, which may fire a few seconds after management's
            assertThat(status.path("signal").path("state").asText()).isEqualTo("connected");
        });
        // "connected" above already rules out server-key-changed: tern-server keeps its key in its database
        assertThat(Files.readString(pinnedKey)).isEqualTo(pinnedBefore);
        assertThat(ping("a", meshIp("bravo")).ok()).isTrue();
    }

    /** Issue 10 item 5: the agent serves the map's peer zone; its namespace's resolv.conf points at it. */
    @Test
    @Order(45)
    void peerNamesResolveThroughTheAgentsResolver() throws Exception {
        String domain = domain();
        await("A resolves bravo." + domain).atMost(CONVERGE).untilAsserted(() ->
                assertThat(dig("a", "bravo." + domain).output().strip()).as(diagnostics("a")).isEqualTo(meshIp("bravo")));
        Shell.Result byName = ping("a", "bravo." + domain);
        assertThat(byName.ok()).as(byName.output()).isTrue();
        assertThat(byName.output()).contains(meshIp("bravo"));
        assertThat(Shell.run(Shell.inNamespace(agents.get("a").namespace(), "dig", "+time=2", "+tries=1",
                "charlie." + domain), 30).output()).as("a peer A cannot see has no name for A").contains("NXDOMAIN");
        assertThat(Files.readString(Path.of("/etc/netns", agents.get("a").namespace(), "resolv.conf")))
                .contains("nameserver " + meshIp("alpha"));
        JsonNode dns = status("a").path("dns");
        assertThat(dns.path("resolver").asText()).isEqualTo(meshIp("alpha") + ":53");
        assertThat(dns.path("hostConfig").asText()).isEqualTo("resolv.conf");
    }

    private static Shell.Result dig(String from, String name) {
        return Shell.run(Shell.inNamespace(agents.get(from).namespace(), "dig", "+short", "+time=2", "+tries=1", name), 30);
    }

    /**
     * Issue 10's DNS end to end, beside the peer zone: a custom zone's A and CNAME records, a nameserver group that
     * sends corp.example to corp's own DNS server, and everything else to the original upstream that A's
     * resolv.conf named before {@code tern up}; all of it in {@code tern status --json}.
     */
    @Test
    @Order(46)
    void customZonesNameServerGroupsAndTheOriginalUpstreamAnswerThroughAsResolver() {
        String alphaHost = net.hostAddress(agents.get("a").namespace());
        String zoneId = rest.post("/api/dns/zones", Map.of("name", "office", "domain", "office.example",
                "enable_search_domain", false, "distribution_groups", List.of(devGroup))).get("id").asText();
        rest.post("/api/dns/zones/" + zoneId + "/records", Map.of("name", "registry.office.example", "type", "A",
                "content", "10.10.10.5", "ttl", 300));
        rest.post("/api/dns/zones/" + zoneId + "/records", Map.of("name", "docker.office.example", "type", "CNAME",
                "content", "registry.office.example", "ttl", 300));
        String corpHost = net.addHost("corp");
        corpDns = Dnsmasq.start("dnsmasq-corp-" + RUN, corpHost, net.hostAddress(corpHost),
                Map.of("build01.corp.example", "10.20.30.40"));
        helpers.add(corpDns.process());
        corpNameServerGroup = rest.post("/api/dns/nameservers", corpNameServers(true)).get("id").asText();

        // the map reached A: only then is a question for corp.example meant for corp's server
        await("A's resolver has the zone and the nameserver group").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode dns = status("a").path("dns");
            assertThat(texts(dns.path("zones"))).as(diagnostics("a")).contains("office.example.");
            assertThat(texts(dns.path("matchDomains"))).containsExactly("corp.example.");
        });
        assertThat(dig("a", "registry.office.example").output().strip()).isEqualTo("10.10.10.5");
        assertThat(dig("a", "docker.office.example").output().strip().lines())
                .containsExactly("registry.office.example.", "10.10.10.5");

        assertThat(dig("a", "build01.corp.example").output().strip()).as(diagnostics("a")).isEqualTo("10.20.30.40");
        assertThat(corpDns.questionsFor("build01.corp.example", alphaHost)).as(corpDns.queryLog()).isEqualTo(1);
        assertThat(originalUpstream.questionsFor("build01.corp.example", alphaHost)).isZero();

        assertThat(dig("a", "www.outside.test").output().strip()).isEqualTo("192.0.2.80");
        assertThat(originalUpstream.questionsFor("www.outside.test", alphaHost)).as(originalUpstream.queryLog())
                .isEqualTo(1);
        assertThat(corpDns.questionsFor("www.outside.test", alphaHost)).isZero();

        JsonNode dns = status("a").path("dns");
        assertThat(dns.path("resolver").asText()).isEqualTo(meshIp("alpha") + ":53");
        assertThat(texts(dns.path("upstream"))).containsExactly(originalUpstream.address() + ":53");
        assertThat(dns.path("hostConfig").asText()).isEqualTo("resolv.conf");
        assertThat(dns.path("error").isNull()).as(dns.toString()).isTrue();
    }

    /** A change to the nameserver group alone reaches the running agent: disabled, corp.example goes upstream. */
    @Test
    @Order(47)
    void disablingTheNameServerGroupSendsItsDomainToTheOriginalUpstreamAgain() {
        String alphaHost = net.hostAddress(agents.get("a").namespace());
        long askedCorp = corpDns.questionsFor("build01.corp.example", alphaHost);
        rest.put("/api/dns/nameservers/" + corpNameServerGroup, corpNameServers(false));

        await("A's resolver drops the match domain").atMost(CONVERGE).untilAsserted(() ->
                assertThat(texts(status("a").path("dns").path("matchDomains"))).as(diagnostics("a")).isEmpty());
        assertThat(dig("a", "build01.corp.example").output().strip()).isEqualTo("192.0.2.99");
        assertThat(originalUpstream.questionsFor("build01.corp.example", alphaHost)).isEqualTo(1);
        assertThat(corpDns.questionsFor("build01.corp.example", alphaHost)).isEqualTo(askedCorp);
        // the zones stay
        assertThat(dig("a", "registry.office.example").output().strip()).isEqualTo("10.10.10.5");
    }

    /**
     * SIGKILL runs no shutdown hook: A's namespace keeps pointing at the dead resolver, and the backup in A's config
     * dir is what the next {@code tern down} puts back, byte for byte. A runs again afterwards for the later steps.
     */
    @Test
    @Order(48)
    void afterAKilledAgentTernDownPutsTheOriginalResolvConfBack() throws Exception {
        Agent a = agents.get("a");
        String fqdn = "bravo." + domain();
        Path resolvConf = namespaceResolvConf(a.namespace());
        Path backup = a.configDir().resolve("resolv.conf.backup");
        assertThat(Files.readString(resolvConf)).startsWith("# Generated by tern");
        assertThat(backup).exists();

        a.process().kill();
        assertThat(Files.readString(resolvConf)).as("nothing restored it").startsWith("# Generated by tern");
        assertThat(backup).exists();
        Shell.Result down = tern("a", "down");
        assertThat(down.ok()).as(down.output()).isTrue();
        assertThat(readAll(resolvConf)).as("A's namespace resolv.conf after tern down").isEqualTo(originalResolvConf);
        assertThat(backup).doesNotExist();
        assertThat(dig("a", "www.outside.test").output().strip()).as("the original upstream answers directly")
                .isEqualTo("192.0.2.80");

        runAgent("a", a.namespace(), a.iface(), a.configDir(), a.hostname(), a.setupKeyFile());
        await("A serves names again").atMost(CONVERGE).untilAsserted(() ->
                assertThat(dig("a", fqdn).output().strip()).as(diagnostics("a")).isEqualTo(meshIp("bravo")));
        await("A pings B again").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("a", meshIp("bravo")).ok()).as(diagnostics("a")).isTrue());
    }

    @Test
    @Order(50)
    void ternStatusJsonMatchesTheMesh() {
        JsonNode status = status("a");
        assertThat(status.path("meshAddress").asText()).startsWith(meshIp("alpha") + "/");
        assertThat(status.path("signal").path("state").asText()).isEqualTo("connected");
        JsonNode bravo = StreamSupport.stream(status.path("peers").spliterator(), false)
                .filter(p -> p.path("meshIp").asText().equals(meshIp("bravo"))).findFirst().orElseThrow(
                        () -> new AssertionError("bravo missing from tern status: " + status));
        assertThat(bravo.path("state").asText()).isEqualTo("connected");
        assertThat(bravo.path("rxBytes").asLong()).isPositive();
        assertThat(StreamSupport.stream(status.path("peers").spliterator(), false)
                .map(p -> p.path("meshIp").asText())).doesNotContain(meshIp("charlie"));
    }

    /**
     * B goes away under a 60 s inactivity expiration (the shortest Tern, like NetBird, accepts). The next step (D
     * through the relay) does not involve B and runs while the period passes; the one after it checks the expiry.
     */
    @Test
    @Order(55)
    void aPeerWhoseAgentStopsShowsDisconnected() {
        String bravoId = peerId("bravo");
        rest.put("/api/peers/" + bravoId, Map.of("name", "bravo", "ssh_enabled", false,
                "login_expiration_enabled", false, "inactivity_expiration_enabled", true));
        String accountId = rest.get("/api/accounts").get(0).path("id").asText();
        rest.put("/api/accounts/" + accountId, Map.of("settings", Map.of(
                "peer_login_expiration_enabled", true, "peer_login_expiration", 86400,
                "peer_inactivity_expiration_enabled", true, "peer_inactivity_expiration", 60)));
        agents.get("b").process().stopTree(Duration.ofSeconds(15));

        await("B disconnected").atMost(CONVERGE).untilAsserted(() ->
                assertThat(peerByName("bravo").path("connected").asBoolean()).isFalse());
        assertThat(peerByName("bravo").path("login_expired").asBoolean()).as("not expired before its period").isFalse();
    }

    @Test
    @Order(56)
    void aPeerWithoutADirectUdpPathIsReachedThroughTheRelay() {
        // The dev key is used up by A and B; D gets a key of its own in the same group.
        String devKey2 = rest.post("/api/setup-keys", Map.of("name", "dev-key-relayed", "type", "reusable",
                "expires_in", 86400, "auto_groups", List.of(devGroup), "usage_limit", 1)).get("key").asText();
        String ns = net.addHost("d");
        // No UDP between D and A or B on the underlay, so WireGuard cannot go direct; TCP to the server (management,
        // signal, relay) is untouched.
        String blocked = net.hostAddress(agents.get("a").namespace()) + ", " + net.hostAddress(agents.get("b").namespace());
        Shell.must(Shell.inNamespace(ns, "nft", String.join("\n",
                "add table inet e2e_no_direct",
                "add chain inet e2e_no_direct in { type filter hook input priority -10 ; }",
                "add chain inet e2e_no_direct out { type filter hook output priority -10 ; }",
                "add rule inet e2e_no_direct in ip saddr { " + blocked + " } meta l4proto udp drop",
                "add rule inet e2e_no_direct out ip daddr { " + blocked + " } meta l4proto udp drop"))
                .toArray(String[]::new));
        Path configDir;
        Path keyFile;
        try {
            configDir = Files.createTempDirectory("tern-e2e-d-");
            keyFile = setupKeyFile("d", devKey2);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        runAgent("d", ns, "wtd" + RUN, configDir, "delta", keyFile);

        await("A pings D through the relay").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(ping("a", meshIp("delta")).ok()).as(diagnostics("d")).isTrue());
        String alphaKey = status("a").path("publicKey").asText();
        JsonNode alphaAtD = StreamSupport.stream(status("d").path("peers").spliterator(), false)
                .filter(p -> p.path("publicKey").asText().equals(alphaKey)).findFirst()
                .orElseThrow(() -> new AssertionError("alpha missing from D's tern status"));
        assertThat(alphaAtD.path("connectionType").asText()).isEqualTo("relayed");
        assertThat(alphaAtD.path("state").asText()).isEqualTo("connected");
        assertThat(wgEndpoint("d", alphaKey)).startsWith("127.0.0.1:");
        assertThat(alphaAtD.path("endpoint").asText()).isEqualTo(wgEndpoint("d", alphaKey));
        assertThat(status("d").path("relay").path("url").asText()).isEqualTo("rels://" + net.serverAddress() + ":33080");
    }

    @Test
    @Order(57)
    void aPeerAwayLongerThanItsInactivityExpirationIsCutOffUntilItLogsInAgain() {
        String bravoId = peerId("bravo");
        Agent b = agents.get("b");
        await("B expired after 60 s away").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(peerByName("bravo").path("login_expired").asBoolean()).isTrue());
        // D (relayed, the step before) stays A's only WireGuard peer
        String deltaKey = status("d").path("publicKey").asText();
        await("B gone from A's WireGuard peers").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(wgPeers("a")).containsExactly(deltaKey));
        assertThat(peerState(status("a"), meshIp("bravo"))).isEqualTo("login-expired");
        assertThat(rest.get("/api/events/audit?activity_code=peer.login.expire&target_id=" + bravoId))
                .singleElement().satisfies(e -> assertThat(e.path("meta").path("cause").asText()).isEqualTo("inactivity"));

        // B starts again with its setup key (used up by A and B: logging in again registers nothing, so it still
        // counts) and is let back in
        runAgent("b", b.namespace(), b.iface(), b.configDir(), b.hostname(), b.setupKeyFile());
        await("B reachable again").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("a", meshIp("bravo")).ok()).as(diagnostics("b")).isTrue());
        assertThat(peerByName("bravo").path("login_expired").asBoolean()).isFalse();
        assertThat(peerState(status("a"), meshIp("bravo"))).isNotEqualTo("login-expired");
        assertThat(rest.get("/api/events/audit?activity_code=user.peer.login&target_id=" + bravoId)).hasSize(1);
    }

    @Test
    @Order(60)
    void deletingBRemovesItFromAsWireGuardPeers() {
        String deltaKey = status("d").path("publicKey").asText();
        Set<String> before = wgPeers("a");
        assertThat(before).hasSize(2).contains(deltaKey);
        rest.delete("/api/peers/" + peerId("bravo"));
        await("B gone from A's WireGuard peers").atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(wgPeers("a")).containsExactly(deltaKey));
        assertThat(ping("a", meshIp("bravo")).ok()).isFalse();
    }

    /**
     * NetBird's {@code settings.network_range}: the account moves to another network, every agent takes its new
     * address from its map (A directly, D still through the relay) and they ping each other at the new addresses.
     */
    @Test
    @Order(75)
    void movingTheAccountNetworkReaddressesTheAgentsAndTheyStillPingEachOther() {
        JsonNode account = rest.get("/api/accounts").get(0);
        Map<String, Object> settings = Rest.JSON.convertValue(account.get("settings"),
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        settings.put("network_range", "172.29.77.0/24");
        JsonNode answer = rest.put("/api/accounts/" + account.get("id").asText(), Map.of("settings", settings));
        assertThat(answer.path("settings").path("network_range").asText()).isEqualTo("172.29.77.0/24");
        meshIps.clear(); // the one change of a registered peer's address
        assertThat(meshIp("alpha")).startsWith("172.29.77.");
        assertThat(meshIp("delta")).startsWith("172.29.77.");

        await("A and D on their new addresses").atMost(CONVERGE).untilAsserted(() -> {
            assertThat(status("a").path("meshAddress").asText()).isEqualTo(meshIp("alpha") + "/24");
            assertThat(status("d").path("meshAddress").asText()).isEqualTo(meshIp("delta") + "/24");
        });
        await("A pings D at its new address").atMost(CONVERGE).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(ping("a", meshIp("delta")).ok()).as(diagnostics("a")).isTrue());
        assertThat(ping("d", meshIp("alpha")).ok()).as(diagnostics("d")).isTrue();
    }

    /** The last step: {@code tern down} of a running agent puts its namespace's resolv.conf back byte for byte. */
    @Test
    @Order(80)
    void ternDownPutsTheOriginalResolvConfBackAndTheHostsIsUntouched() {
        Agent a = agents.get("a");
        assertThat(readAll(namespaceResolvConf(a.namespace()))).isNotEqualTo(originalResolvConf);
        Shell.Result down = tern("a", "down");
        assertThat(down.ok()).as(down.output()).isTrue();
        assertThat(a.process().awaitExit(Duration.ofSeconds(30))).isZero();
        assertThat(readAll(namespaceResolvConf(a.namespace()))).as("A's namespace resolv.conf after tern down")
                .isEqualTo(originalResolvConf);
        assertThat(a.configDir().resolve("resolv.conf.backup")).doesNotExist();
        assertThat(readAll(HOST_RESOLV_CONF)).as("the host's /etc/resolv.conf").isEqualTo(hostResolvConf);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static JsonNode peerByName(String name) {
        for (JsonNode p : rest.get("/api/peers")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no peer named " + name);
    }

    /**
     * Mesh IPs change only when the account network moves (step 75 forgets them), so they are remembered (the server
     * may be down).
     */
    private static final Map<String, String> meshIps = new java.util.concurrent.ConcurrentHashMap<>();

    private static String meshIp(String name) {
        return meshIps.computeIfAbsent(name, n -> peerByName(n).path("ip").asText());
    }

    private static String peerId(String name) {
        return peerByName(name).path("id").asText();
    }

    private static List<String> names(JsonNode peers) {
        List<String> out = new ArrayList<>();
        peers.forEach(p -> out.add(p.path("name").asText()));
        return out;
    }

    /** A JSON array of strings as a list. */
    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(item -> out.add(item.asText()));
        return out;
    }

    private static Set<String> wgPeers(String label) {
        Agent a = agents.get(label);
        String out = Shell.must(Shell.inNamespace(a.namespace(), "wg", "show", a.iface(), "peers").toArray(String[]::new));
        return Set.copyOf(out.lines().map(String::trim).filter(s -> !s.isEmpty()).toList());
    }

    /** The endpoint WireGuard in {@code label}'s namespace uses for the peer with this key. */
    private static String wgEndpoint(String label, String peerKey) {
        Agent a = agents.get(label);
        String out = Shell.must(Shell.inNamespace(a.namespace(), "wg", "show", a.iface(), "endpoints").toArray(String[]::new));
        return out.lines().map(line -> line.trim().split("\\s+")).filter(f -> f.length == 2 && f[0].equals(peerKey))
                .map(f -> f[1]).findFirst().orElseThrow(() -> new AssertionError("no endpoint for " + peerKey + ":\n" + out));
    }

    private static JsonNode status(String label) {
        Shell.Result r = tern(label, "status", "--json");
        assertThat(r.ok()).as("tern status failed: %s", r.output()).isTrue();
        try {
            return Rest.JSON.readTree(r.output());
        } catch (Exception e) {
            throw new AssertionError("tern status --json is not JSON: " + r.output(), e);
        }
    }

    /** The state `tern status` reports for the peer with this mesh IP. */
    private static String peerState(JsonNode status, String meshIp) {
        return StreamSupport.stream(status.path("peers").spliterator(), false)
                .filter(p -> p.path("meshIp").asText().equals(meshIp)).findFirst()
                .map(p -> p.path("state").asText())
                .orElseThrow(() -> new AssertionError(meshIp + " missing from tern status: " + status));
    }

    /** The nameserver group that sends corp.example to corp's DNS server, for dev. */
    private static Map<String, Object> corpNameServers(boolean enabled) {
        return Map.of("name", "corp", "description", "corp.example's own server",
                "nameservers", List.of(Map.of("ip", corpDns.address(), "ns_type", "udp", "port", 53)),
                "enabled", enabled, "groups", List.of(devGroup), "primary", false, "domains", List.of("corp.example"),
                "search_domains_enabled", false);
    }

    /** The account's DNS domain, from A's FQDN. */
    private static String domain() {
        String fqdn = status("a").path("fqdn").asText();
        return fqdn.substring(fqdn.indexOf('.') + 1);
    }

    /** What {@code ip netns exec} mounts over /etc/resolv.conf in that namespace. */
    private static Path namespaceResolvConf(String namespace) {
        return Path.of("/etc/netns", namespace, "resolv.conf");
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    /** {@code tern <arguments> --config-dir <its config dir>} for agent {@code label}, in its namespace. */
    private static Shell.Result tern(String label, String... arguments) {
        Agent a = agents.get(label);
        List<String> command = new ArrayList<>(List.of(ChildProcess.java(), "-jar",
                ChildProcess.artifact("../agent/target/tern.jar")));
        command.addAll(List.of(arguments));
        command.addAll(List.of("--config-dir", a.configDir().toString()));
        return Shell.run(Shell.inNamespace(a.namespace(), command.toArray(String[]::new)), 60);
    }

    private static String diagnostics(String label) {
        Agent a = agents.get(label);
        return "\n--- agent " + label + " log:\n" + a.process().logTail(30)
                + "\n--- wg show:\n" + Shell.run(Shell.inNamespace(a.namespace(), "wg", "show"), 10).output()
                + "\n--- nft:\n" + Shell.run(Shell.inNamespace(a.namespace(), "nft", "list", "ruleset"), 10).output();
    }

    private static Shell.Result ping(String from, String ip) {
        return Mesh.ping(agents.get(from).namespace(), ip);
    }

    private static boolean tcp(String from, String ip, int port) {
        return Mesh.tcp(agents.get(from).namespace(), ip, port);
    }
}

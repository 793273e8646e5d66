package dev.tern.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static dev.tern.e2e.support.Mesh.log;
import static dev.tern.e2e.support.Mesh.nft;
import static dev.tern.e2e.support.Mesh.policy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.e2e.support.NetBirdClient;
import dev.tern.e2e.support.Mesh;
import dev.tern.e2e.support.Dnsmasq;
import dev.tern.e2e.support.NatHost;
import dev.tern.e2e.support.Rest;
import dev.tern.e2e.support.TernServer;
import dev.tern.e2e.support.TestBed;
import dev.tern.e2e.support.TestPki;
import dev.tern.testsupport.netns.Shell;
import dev.tern.testsupport.netns.TestNetwork;
import dev.tern.testsupport.oidc.IdpBrowser;
import dev.tern.testsupport.process.ChildProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 9: NetBird's real client, built from NetBird's published Go module at pinned releases, against
 * tern-server. tern-server (with its in-process signal node, STUN and relay) runs in one network namespace, each
 * client in its own, joined by a bridge; the clients use userspace WireGuard. Groups nb-dev {alpha, bravo, delta,
 * oscar} and nb-prod {charlie}; policy nb-dev↔nb-dev. Steps: two clients join and ping; charlie (outside the allowed
 * group) cannot reach or be reached; a tcp/22-only policy; delta without UDP to the others goes through the relay;
 * the older release; a tern-server restart; deleting a peer; two clients each behind its own NAT connect directly
 * (server-reflexive candidates from Tern's STUN); device login: {@code netbird up --no-browser} and {@code tern up}
 * without a setup key print the embedded IdP's verification URL, the test's browser signs the owner in there, and the
 * peer joins as the owner's, in the owner's auto-groups; a setup-key client and the signed-in one go away together
 * until their logins expire (one inactivity period for both): the first needs a login and a setup key brings it back,
 * the second signs in again the same way; the older release signs in too. They build on each other, so they run in
 * order on one shared test bed.
 *
 * <p>The control plane runs over TLS as an operator deploys it: a private CA made here signs tern-server's certificate
 * for its address; the clients get an {@code https://} management URL and trust that CA only (SSL_CERT_FILE), so
 * management and signal are gRPC over TLS and the relay is {@code rels://}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetBirdClientEndToEndTest {

    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");
    private static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 9999));
    /** 10.231.77.0/24: MeshEndToEndTest takes 10.231.100-199, so the two can run side by side. */
    private static final int SUBNET_OCTET = 77;

    private static final String OWNER_EMAIL = "nb-e2e@example.com";
    /** The password TernServer.setUpOwner gives the owner: the embedded IdP's login form takes it. */
    private static final String OWNER_PASSWORD = "e2e-password-1";
    private static final Pattern NETBIRD_SIGN_IN_URL =
            Pattern.compile("Use this URL to log in:\\s+(https://\\S+/oauth2/device_verification\\?user_code=\\S+)");
    private static final Pattern TERN_SIGN_IN_URL =
            Pattern.compile("To sign in, open (https://\\S+/oauth2/device_verification\\?user_code=\\S+) \\(code ");

    private static TestBed bed;
    private static TestNetwork net;
    private static TernServer server;
    private static Rest rest;
    private static TestPki pki;
    private static final Map<String, NetBirdClient> clients = new LinkedHashMap<>();
    private static final Map<String, String> hostnames = new HashMap<>();
    private static final List<ChildProcess> helpers = new ArrayList<>();
    /** Namespaces behind a NAT router, made outside TestNetwork (which removes only its own). */
    private static final List<NatHost> natHosts = new ArrayList<>();
    private static String devGroup;
    private static String prodGroup;
    private static String devKey;
    private static String prodKey;
    /** The host's resolver configuration before the test: the clients' DNS must never change it. */
    private static byte[] hostResolvConf;

    @BeforeAll
    static void buildTestBed() throws Exception {
        Shell.requireRootAndTools("ip", "nft", "ping", "bash", "timeout", "dig", "mount", "dnsmasq");
        hostResolvConf = Files.readAllBytes(HOST_RESOLV_CONF);
        ChildProcess.artifact("../api/target/tern-server.jar");
        // Built (or taken from the cache) before anything starts: a client that cannot be built fails here, loudly.
        NetBirdClient.binary(NetBirdClient.NEWEST);
        // The device login's URLs (the embedded IdP's) must be ones the clients' namespaces reach; expiries are
        // checked every second, so the inactivity steps wait for the period, not the check.
        bed = TestBed.tls(RUN, SUBNET_OCTET, "tern-server-nb-" + RUN,
                network -> Map.of("TERN_REST_URL", "https://" + network.serverAddress() + ":8080",
                        "TERN_EXPIRY_CHECK_INTERVAL", "1s"), OWNER_EMAIL, "NetBird E2E Admin");
        net = bed.net();
        pki = bed.pki();
        server = bed.server();
        rest = bed.rest();

        devGroup = rest.post("/api/groups", Map.of("name", "nb-dev")).get("id").asText();
        prodGroup = rest.post("/api/groups", Map.of("name", "nb-prod")).get("id").asText();
        devKey = rest.post("/api/setup-keys", Map.of("name", "nb-dev-key", "type", "reusable",
                "expires_in", 86400, "auto_groups", List.of(devGroup), "usage_limit", 10)).get("key").asText();
        prodKey = rest.post("/api/setup-keys", Map.of("name", "nb-prod-key", "type", "reusable",
                "expires_in", 86400, "auto_groups", List.of(prodGroup), "usage_limit", 10)).get("key").asText();
        rest.post("/api/policies", policy("nb-dev-dev", devGroup, devGroup, true, "all", List.of()));
    }

    /** A client of {@code version} in a new namespace, joined with {@code setupKey}; asserts {@code up} succeeds. */
    private static NetBirdClient join(String label, String hostname, String version, String setupKey) {
        return joinIn(net.addHost(label), label, hostname, version, setupKey);
    }

    private static NetBirdClient joinIn(String ns, String label, String hostname, String version, String setupKey) {
        NetBirdClient client = NetBirdClient.startDaemon(label + "-" + RUN, version, ns, "nb" + label + RUN,
                java.net.URI.create(server.managementUrl()), pki.caFile());
        clients.put(label, client);
        hostnames.put(label, hostname);
        Shell.Result up = client.up(server.managementUrl(), setupKey, hostname);
        assertThat(up.ok()).as("netbird up of %s failed (%d): %s\n--- daemon log:\n%s", label, up.exitCode(),
                up.output(), client.logTail(60)).isTrue();
        return client;
    }

    @AfterAll
    static void tearDown() {
        for (ChildProcess h : helpers) {
            h.stopTree(Duration.ofSeconds(5));
        }
        NetBirdClient.closeAll(clients.values());
        natHosts.forEach(NatHost::close);
        if (bed != null) {
            bed.close();
        }
        if (hostResolvConf != null) {
            assertThat(readAll(HOST_RESOLV_CONF)).as("the host's /etc/resolv.conf after the clients stopped")
                    .isEqualTo(hostResolvConf);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Order(10)
    void twoNewestClientsJoinWithASetupKeyAndPingEachOther() {
        NetBirdClient a = join("a", "nb-alpha", NetBirdClient.NEWEST, devKey);
        NetBirdClient b = join("b", "nb-bravo", NetBirdClient.NEWEST, devKey);

        await("both registered with tern-server").atMost(CONVERGE).untilAsserted(() ->
                assertThat(names(rest.get("/api/peers"))).contains("nb-alpha", "nb-bravo"));
        assertThat(a.meshIp()).isEqualTo(meshIp("a")).startsWith("100.");
        assertThat(b.meshIp()).isEqualTo(meshIp("b"));

        for (NetBirdClient c : List.of(a, b)) {
            await(c.label() + " connected to management and signal").atMost(CONVERGE).untilAsserted(() -> {
                JsonNode status = c.status();
                assertThat(status.path("management").path("connected").asBoolean()).as(diagnostics(c)).isTrue();
                assertThat(status.path("signal").path("connected").asBoolean()).as(diagnostics(c)).isTrue();
            });
        }
        await("alpha sees bravo connected").atMost(CONVERGE).untilAsserted(() ->
                assertThat(peerStatus("a", "b").path("status").asText()).as(diagnostics(a)).isEqualTo("Connected"));
        await("bravo sees alpha connected").atMost(CONVERGE).untilAsserted(() ->
                assertThat(peerStatus("b", "a").path("status").asText()).as(diagnostics(b)).isEqualTo("Connected"));

        await("alpha pings bravo over the mesh").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("a", meshIp("b")).ok()).as(diagnostics(a)).isTrue());
        assertThat(ping("b", meshIp("a")).ok()).as(diagnostics(b)).isTrue();
    }

    @Test
    @Order(20)
    void aClientOutsideTheAllowedGroupCannotReachNorBeReached() {
        NetBirdClient c = join("c", "nb-charlie", NetBirdClient.NEWEST, prodKey);
        await("charlie connected to management and signal").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode status = c.status();
            assertThat(status.path("management").path("connected").asBoolean()).as(diagnostics(c)).isTrue();
            assertThat(status.path("signal").path("connected").asBoolean()).as(diagnostics(c)).isTrue();
        });
        assertThat(c.meshIp()).isEqualTo(meshIp("c"));
        // No policy joins nb-prod to anything: charlie's map has no peers, and dev's maps do not list charlie.
        assertThat(c.status().path("peers").path("total").asInt()).as(diagnostics(c)).isZero();
        assertThat(clients.get("a").peer(meshIp("c"))).isEmpty();
        // The mesh itself works (the negatives below are not a broken tunnel): alpha still reaches bravo.
        assertThat(ping("a", meshIp("b")).ok()).as(diagnostics(clients.get("a"))).isTrue();
        assertThat(ping("a", meshIp("c")).ok()).as("alpha must not reach charlie").isFalse();
        assertThat(ping("c", meshIp("a")).ok()).as("charlie must not reach alpha").isFalse();
    }

    @Test
    @Order(25)
    void peerNamesResolveThroughTheClientsOwnResolver() {
        NetBirdClient a = clients.get("a");
        // The client points its namespace's resolv.conf at its own resolver (an address in the mesh network).
        await("alpha's resolv.conf names alpha's resolver").atMost(CONVERGE).untilAsserted(() ->
                assertThat(a.resolvConf()).as(diagnostics(a)).doesNotContain("192.0.2.53")
                        .containsPattern("(?m)^nameserver 100\\."));
        await("bravo's name resolves on alpha").atMost(CONVERGE).untilAsserted(() ->
                assertThat(dig("a", fqdn("b")).output().strip()).as(diagnostics(a)).isEqualTo(meshIp("b")));
        assertThat(dig("b", fqdn("a")).output().strip()).as(diagnostics(clients.get("b"))).isEqualTo(meshIp("a"));
        assertThat(fqdn("b")).startsWith("nb-bravo.");

        // charlie is outside alpha's policy view: its name is not in alpha's zone, which the resolver owns.
        Shell.Result charlie = Shell.run(Shell.inNamespace(a.namespace(), "dig", "+time=2", "+tries=2", fqdn("c")),
                15);
        assertThat(charlie.output()).as(charlie.output()).contains("status: NXDOMAIN");

        Shell.Result byName = Mesh.ping(a.namespace(), fqdn("b"));
        assertThat(byName.ok()).as("ping %s from alpha: %s", fqdn("b"), byName.output()).isTrue();
        assertThat(byName.output()).contains(meshIp("b"));
        assertThat(readAll(HOST_RESOLV_CONF)).as("the host's /etc/resolv.conf").isEqualTo(hostResolvConf);
    }

    @Test
    @Order(26)
    void customZonesAndNameServerGroupsReachTheClientsResolver() {
        // A custom zone for nb-dev with one record: answered by the client's own resolver.
        String zoneId = rest.post("/api/dns/zones", Map.of("name", "office", "domain", "office.example",
                "enable_search_domain", false, "distribution_groups", List.of(devGroup))).get("id").asText();
        rest.post("/api/dns/zones/" + zoneId + "/records", Map.of("name", "registry.office.example", "type", "A",
                "content", "10.10.10.5", "ttl", 300));
        await("the custom zone's record resolves on alpha").atMost(CONVERGE).untilAsserted(() ->
                assertThat(dig("a", "registry.office.example").output().strip()).as(diagnostics(clients.get("a")))
                        .isEqualTo("10.10.10.5"));

        // A real DNS server (dnsmasq) for corp.example in a namespace of its own, named by a nameserver group.
        String dnsHost = net.addHost("dns");
        Dnsmasq corp = Dnsmasq.start("nb-dnsmasq-" + RUN, dnsHost, net.hostAddress(dnsHost),
                Map.of("build01.corp.example", "10.20.30.40"));
        helpers.add(corp.process());
        rest.post("/api/dns/nameservers", Map.of("name", "corp", "description", "corp.example's own server",
                "nameservers", List.of(Map.of("ip", net.hostAddress(dnsHost), "ns_type", "udp", "port", 53)),
                "enabled", true, "groups", List.of(devGroup), "primary", false, "domains", List.of("corp.example"),
                "search_domains_enabled", false));

        await("corp.example resolves on alpha through its nameserver group").atMost(CONVERGE).untilAsserted(() ->
                assertThat(dig("a", "build01.corp.example").output().strip()).as(diagnostics(clients.get("a")))
                        .isEqualTo("10.20.30.40"));
        assertThat(corp.queryLog()).as("dnsmasq's query log")
                .contains("query[A] build01.corp.example from " + net.hostAddress(clients.get("a").namespace()));
        // the peer names and the custom zone still resolve beside it
        assertThat(dig("a", fqdn("b")).output().strip()).isEqualTo(meshIp("b"));
        assertThat(dig("a", "registry.office.example").output().strip()).isEqualTo("10.10.10.5");
        // charlie (nb-prod) gets neither the zone nor the nameserver group
        assertThat(dig("c", "build01.corp.example").output().strip()).as(diagnostics(clients.get("c")))
                .isNotEqualTo("10.20.30.40");
        assertThat(dig("c", "registry.office.example").output().strip()).isNotEqualTo("10.10.10.5");
        assertThat(readAll(HOST_RESOLV_CONF)).as("the host's /etc/resolv.conf").isEqualTo(hostResolvConf);
    }

    @Test
    @Order(30)
    void aTcp22OnlyPolicyOpensTcp22AndNothingElse() {
        NetBirdClient c = clients.get("c");
        helpers.add(ChildProcess.start("nb-tcp-listener-c-" + RUN,
                Shell.inNamespace(c.namespace(), ChildProcess.java(), "-cp",
                        Path.of("target", "test-classes").toAbsolutePath().toString(),
                        "dev.tern.e2e.support.TcpListener", "22", "80"), Map.of(), log("nb-tcp-listener-c-" + RUN)));
        rest.post("/api/policies", policy("nb-dev-to-prod-ssh", devGroup, prodGroup, false, "tcp", List.of("22")));

        await("alpha opens tcp/22 on charlie").atMost(CONVERGE).untilAsserted(() ->
                assertThat(tcp("a", meshIp("c"), 22)).as(diagnostics(clients.get("a")) + diagnostics(c)).isTrue());
        assertThat(tcp("b", meshIp("c"), 22)).as("bravo is in nb-dev too").isTrue();
        assertThat(tcp("a", meshIp("c"), 80)).as("tcp/80 stays closed").isFalse();
        assertThat(ping("a", meshIp("c")).ok()).as("ping stays blocked").isFalse();
        // One way: charlie (nb-prod) opens nothing on alpha.
        assertThat(ping("c", meshIp("a")).ok()).as("charlie must not reach alpha").isFalse();
    }

    @Test
    @Order(40)
    void withoutUdpBetweenThemTwoClientsConnectThroughTernsRelay() {
        // delta's namespace drops UDP to and from alpha and bravo: no ICE path, so WireGuard goes through the relay
        // (WebSocket over TCP to tern-server); UDP to tern-server (STUN) stays open.
        String ns = net.addHost("d");
        String others = "{ " + net.hostAddress(clients.get("a").namespace()) + ", "
                + net.hostAddress(clients.get("b").namespace()) + " }";
        nft(ns, "add table inet nbe2e");
        nft(ns, "add chain inet nbe2e out { type filter hook output priority 0 ; }");
        nft(ns, "add chain inet nbe2e in { type filter hook input priority 0 ; }");
        nft(ns, "add rule inet nbe2e out ip daddr " + others + " meta l4proto udp drop");
        nft(ns, "add rule inet nbe2e in ip saddr " + others + " meta l4proto udp drop");
        NetBirdClient d = joinIn(ns, "d", "nb-delta", NetBirdClient.NEWEST, devKey);

        await("alpha and delta connected, relayed").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode fromA = peerStatus("a", "d");
            assertThat(fromA.path("status").asText()).as(diagnostics(d)).isEqualTo("Connected");
            assertThat(fromA.path("connectionType").asText()).as(fromA.toString()).isEqualTo("Relayed");
            JsonNode fromD = peerStatus("d", "a");
            assertThat(fromD.path("status").asText()).as(diagnostics(d)).isEqualTo("Connected");
            assertThat(fromD.path("connectionType").asText()).as(fromD.toString()).isEqualTo("Relayed");
        });
        await("delta pings alpha through the relay").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("d", meshIp("a")).ok()).as(diagnostics(d)).isTrue());
        assertThat(ping("a", meshIp("d")).ok()).as(diagnostics(clients.get("a"))).isTrue();
        // alpha and bravo, with UDP between them, stay peer to peer.
        assertThat(peerStatus("a", "b").path("connectionType").asText()).isEqualTo("P2P");
    }

    @Test
    @Order(50)
    void theOlderClientReleaseJoinsPingsAndIsHeldToPolicies() {
        NetBirdClient o = join("o", "nb-oscar", NetBirdClient.OLDER, devKey);
        assertThat(o.status().path("daemonVersion").asText()).isEqualTo(NetBirdClient.OLDER.substring(1));

        await("oscar and alpha see each other connected").atMost(CONVERGE).untilAsserted(() -> {
            assertThat(peerStatus("o", "a").path("status").asText()).as(diagnostics(o)).isEqualTo("Connected");
            assertThat(peerStatus("a", "o").path("status").asText()).as(diagnostics(o)).isEqualTo("Connected");
        });
        await("oscar pings alpha").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("o", meshIp("a")).ok()).as(diagnostics(o)).isTrue());
        await("alpha's name resolves through the older client's resolver").atMost(CONVERGE).untilAsserted(() ->
                assertThat(dig("o", fqdn("a")).output().strip()).as(diagnostics(o)).isEqualTo(meshIp("a")));
        // the way back may still be switching from the relay to the direct path when the first ping goes out
        await("alpha pings oscar").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("a", meshIp("o")).ok()).as(diagnostics(clients.get("a"))).isTrue());

        // Policies hold for it too: in nb-dev it opens tcp/22 on charlie, nothing else.
        await("oscar opens tcp/22 on charlie").atMost(CONVERGE).untilAsserted(() ->
                assertThat(tcp("o", meshIp("c"), 22)).as(diagnostics(o)).isTrue());
        assertThat(tcp("o", meshIp("c"), 80)).as("tcp/80 stays closed").isFalse();
        assertThat(ping("o", meshIp("c")).ok()).as("ping stays blocked").isFalse();
        assertThat(ping("c", meshIp("o")).ok()).as("charlie must not reach oscar").isFalse();
    }

    @Test
    @Order(60)
    void theClientsRideOutATernServerRestartByThemselves() {
        server.restart();

        for (String label : List.of("a", "b")) {
            NetBirdClient c = clients.get(label);
            await(label + " back on management and signal").atMost(CONVERGE).untilAsserted(() -> {
                JsonNode status = c.status();
                assertThat(status.path("management").path("connected").asBoolean()).as(diagnostics(c)).isTrue();
                assertThat(status.path("signal").path("connected").asBoolean()).as(diagnostics(c)).isTrue();
            });
        }
        await("alpha pings bravo after the restart").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("a", meshIp("b")).ok()).as(diagnostics(clients.get("a"))).isTrue());
        await("delta pings alpha through the restarted relay").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("d", meshIp("a")).ok()).as(diagnostics(clients.get("d"))).isTrue());
    }

    @Test
    @Order(70)
    void aPeerDeletedThroughRestDisappearsFromTheOthers() {
        String deltaId = null;
        for (JsonNode p : rest.get("/api/peers")) {
            if (p.path("name").asText().equals(hostnames.get("d"))) {
                deltaId = p.path("id").asText();
            }
        }
        assertThat(deltaId).as("delta registered").isNotNull();
        assertThat(clients.get("a").peer(meshIp("d"))).isPresent();

        rest.delete("/api/peers/" + deltaId);

        await("alpha's netbird status no longer lists delta").atMost(CONVERGE).untilAsserted(() ->
                assertThat(clients.get("a").peer(meshIp("d"))).as(diagnostics(clients.get("a"))).isEmpty());
        assertThat(ping("d", meshIp("a")).ok()).as("a deleted peer reaches nobody").isFalse();
        // The deleted client learns it: its next login is refused as unregistered, and it says it needs a login.
        NetBirdClient delta = clients.get("d");
        await("delta's netbird status says it needs a login").atMost(CONVERGE).untilAsserted(() ->
                assertThat(delta.status().path("daemonStatus").asText()).as("%s%s", delta.status(),
                        diagnostics(delta)).isEqualTo("NeedsLogin"));
    }

    @Test
    @Order(80)
    void twoClientsEachBehindItsOwnNatConnectDirectlyThroughStun() {
        String routerOne = net.addHost("r1");
        String routerTwo = net.addHost("r2");
        String one = behindNat(routerOne, "n1", 71);
        String two = behindNat(routerTwo, "n2", 72);
        joinIn(one, "n1", "nb-november", NetBirdClient.NEWEST, devKey);
        joinIn(two, "n2", "nb-nat-two", NetBirdClient.NEWEST, devKey);

        // Each sees the other at the other's NAT address (a server-reflexive candidate from Tern's STUN), never at
        // its private 192.168.7x address, and peer to peer rather than through the relay.
        await("the two NATed clients connect directly").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode fromOne = peerStatus("n1", "n2");
            assertThat(fromOne.path("status").asText()).as(diagnostics(clients.get("n1"))).isEqualTo("Connected");
            assertThat(fromOne.path("connectionType").asText()).as(fromOne.toString()).isEqualTo("P2P");
            assertThat(fromOne.path("iceCandidateEndpoint").path("remote").asText()).as(fromOne.toString())
                    .startsWith(net.hostAddress(routerTwo) + ":");
            JsonNode fromTwo = peerStatus("n2", "n1");
            assertThat(fromTwo.path("connectionType").asText()).as(fromTwo.toString()).isEqualTo("P2P");
            assertThat(fromTwo.path("iceCandidateEndpoint").path("remote").asText()).as(fromTwo.toString())
                    .startsWith(net.hostAddress(routerOne) + ":");
        });
        await("november pings the other NATed client").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("n1", meshIp("n2")).ok()).as(diagnostics(clients.get("n1"))).isTrue());
    }

    @Test
    @Order(100)
    void netbirdUpWithoutASetupKeySignsTheUserInThroughTheDeviceFlowAndJoinsTheirAutoGroups() {
        String ownerId = ownerId();
        rest.put("/api/users/" + ownerId, Map.of("role", "owner", "auto_groups", List.of(devGroup),
                "is_blocked", false));
        NetBirdClient u = NetBirdClient.startDaemon("u-" + RUN, NetBirdClient.NEWEST, net.addHost("u"), "nbu" + RUN,
                java.net.URI.create(server.managementUrl()), pki.caFile());
        clients.put("u", u);
        hostnames.put("u", "nb-uniform");

        signInThroughTheDeviceFlow(u, "nb-uniform");

        JsonNode peer = peerNamed("nb-uniform");
        assertThat(peer.path("user_id").asText()).as(peer.toString()).isEqualTo(ownerId);
        assertThat(groupIds(peer)).as(peer.toString()).contains(devGroup);
        assertThat(peer.path("login_expiration_enabled").asBoolean()).as(peer.toString()).isTrue();
        await("the signed-in client pings alpha (nb-dev, like the user's auto-group)").atMost(CONVERGE)
                .untilAsserted(() -> assertThat(ping("u", meshIp("a")).ok()).as(diagnostics(u)).isTrue());
    }

    @Test
    @Order(101)
    void ternUpWithoutASetupKeyPrintsTheSignInUrlAndJoinsAsTheUser() throws Exception {
        Shell.requireRootAndTools("wg", "wireguard-go");
        String ns = net.addHost("t");
        Path configDir = Files.createTempDirectory("tern-e2e-nb-t-");
        ChildProcess agent = ChildProcess.start("agent-t-" + RUN,
                Shell.inNamespace(ns, ChildProcess.java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar",
                        ChildProcess.artifact("../agent/target/tern.jar"), "up",
                        "--management-url", server.managementUrl(), "--ca-file", pki.caFile().toString(),
                        "--interface", "wtt" + RUN, "--config-dir", configDir.toString(), "--wg-port", "51820",
                        "--hostname", "tern-tango"),
                Map.of(), log("agent-t-" + RUN));
        helpers.add(agent);

        agent.awaitOutput("To sign in, open ", Duration.ofSeconds(90));
        Matcher url = TERN_SIGN_IN_URL.matcher(agent.stdout());
        assertThat(url.find()).as(agent.stdout()).isTrue();
        Shell.Result waiting = Shell.run(Shell.inNamespace(ns, ChildProcess.java(), "-jar",
                ChildProcess.artifact("../agent/target/tern.jar"), "status", "--json",
                "--config-dir", configDir.toString()), 30);
        assertThat(waiting.ok()).as(waiting.output()).isTrue();
        JsonNode management = Rest.JSON.readTree(waiting.output()).path("management");
        assertThat(management.path("state").asText()).as(waiting.output()).isEqualTo("needs-login");
        assertThat(management.path("error").asText()).as(waiting.output()).contains(url.group(1));
        approveOnTheVerificationPage(url.group(1));

        await("tern-tango registered to the owner").atMost(CONVERGE).untilAsserted(() -> {
            JsonNode peer = peerNamed("tern-tango");
            assertThat(peer.path("user_id").asText()).as(peer.toString()).isEqualTo(ownerId());
            assertThat(groupIds(peer)).as(peer.toString()).contains(devGroup);
        });
        String tangoIp = peerNamed("tern-tango").path("ip").asText();
        await("the signed-in tern agent and alpha reach each other").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Mesh.ping(ns, meshIp("a")).ok()).as(agent.logTail(40)).isTrue());
        assertThat(ping("a", tangoIp).ok()).as(diagnostics(clients.get("a"))).isTrue();
    }

    /**
     * Inactivity expiration, for a client that joined with a setup key (bravo, here) and for one whose user signed
     * in (uniform, next step): both go away at the same moment, so one inactivity period (60 s, the shortest Tern,
     * like NetBird, accepts) covers both steps. Expiries are checked every second (TERN_EXPIRY_CHECK_INTERVAL).
     */
    @Test
    @Order(102)
    void aClientWhoseLoginExpiredNeedsLoginAndASetupKeyBringsItBack() {
        String bravoId = null;
        for (JsonNode p : rest.get("/api/peers")) {
            if (p.path("name").asText().equals(hostnames.get("b"))) {
                bravoId = p.path("id").asText();
            }
        }
        assertThat(bravoId).as("bravo registered").isNotNull();
        rest.put("/api/peers/" + bravoId, Map.of("name", hostnames.get("b"), "ssh_enabled", false,
                "login_expiration_enabled", false, "inactivity_expiration_enabled", true));
        String uniformId = peerNamed("nb-uniform").path("id").asText();
        rest.put("/api/peers/" + uniformId, Map.of("name", "nb-uniform", "ssh_enabled", false,
                "login_expiration_enabled", true, "inactivity_expiration_enabled", true));
        String accountId = rest.get("/api/accounts").get(0).path("id").asText();
        rest.put("/api/accounts/" + accountId, Map.of("settings", Map.of(
                "peer_login_expiration_enabled", true, "peer_login_expiration", 86400,
                "peer_inactivity_expiration_enabled", true, "peer_inactivity_expiration", 60)));
        clients.get("b").stopDaemon();
        clients.get("u").stopDaemon();
        String id = bravoId;
        await("bravo's login expired after 60 s away").atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    JsonNode peer = rest.get("/api/peers/" + id);
                    assertThat(peer.path("login_expired").asBoolean()).isTrue();
                });

        NetBirdClient b = clients.get("b").restarted();
        clients.put("b", b);
        await("bravo's netbird status says it needs a login").atMost(CONVERGE).untilAsserted(() ->
                assertThat(b.status().path("daemonStatus").asText()).as(diagnostics(b)).isEqualTo("NeedsLogin"));

        Shell.Result up = b.up(server.managementUrl(), devKey, hostnames.get("b"));
        assertThat(up.ok()).as("netbird up of b after expiry: %s\n%s", up.output(), diagnostics(b)).isTrue();
        await("alpha pings bravo again").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("a", meshIp("b")).ok()).as(diagnostics(b)).isTrue());
        assertThat(rest.get("/api/peers/" + id).path("login_expired").asBoolean()).isFalse();
    }

    /** Uniform's daemon went away with bravo's in the previous step, under the same 60 s inactivity period. */
    @Test
    @Order(103)
    void aSignedInClientWhoseLoginExpiredSignsInAgainTheSameWay() {
        String id = peerNamed("nb-uniform").path("id").asText();
        await("uniform's login expired after 60 s away").atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                        assertThat(rest.get("/api/peers/" + id).path("login_expired").asBoolean()).isTrue());

        NetBirdClient u = clients.get("u").restarted();
        clients.put("u", u);
        await("uniform's netbird status says it needs a login").atMost(CONVERGE).untilAsserted(() ->
                assertThat(u.status().path("daemonStatus").asText()).as(diagnostics(u)).isEqualTo("NeedsLogin"));

        signInThroughTheDeviceFlow(u, "nb-uniform");

        assertThat(rest.get("/api/peers/" + id).path("login_expired").asBoolean()).isFalse();
        await("uniform pings alpha again").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ping("u", meshIp("a")).ok()).as(diagnostics(u)).isTrue());
    }

    @Test
    @Order(104)
    void theOlderClientReleaseSignsInThroughTheDeviceFlowToo() {
        NetBirdClient v = NetBirdClient.startDaemon("v-" + RUN, NetBirdClient.OLDER, net.addHost("v"), "nbv" + RUN,
                java.net.URI.create(server.managementUrl()), pki.caFile());
        clients.put("v", v);
        hostnames.put("v", "nb-victor");

        signInThroughTheDeviceFlow(v, "nb-victor");

        JsonNode peer = peerNamed("nb-victor");
        assertThat(peer.path("user_id").asText()).as(peer.toString()).isEqualTo(ownerId());
        assertThat(groupIds(peer)).as(peer.toString()).contains(devGroup);
        await("the older signed-in client pings alpha").atMost(CONVERGE)
                .untilAsserted(() -> assertThat(ping("v", meshIp("a")).ok()).as(diagnostics(v)).isTrue());
    }

    /**
     * {@code netbird up --no-browser} without a setup key: the URL it prints is opened by the test's browser, which
     * signs the owner in and approves the device; {@code up} then ends with "Connected".
     */
    private static void signInThroughTheDeviceFlow(NetBirdClient client, String hostname) {
        ChildProcess up = client.upInteractive(server.managementUrl(), hostname);
        try {
            up.awaitOutput("Use this URL to log in", Duration.ofSeconds(90));
            Matcher url = NETBIRD_SIGN_IN_URL.matcher(up.stdout());
            assertThat(url.find()).as(up.stdout()).isTrue();
            approveOnTheVerificationPage(url.group(1));
            assertThat(up.awaitExit(Duration.ofSeconds(120))).as("netbird up: %s%s", up.stdout(), diagnostics(client))
                    .isZero();
            assertThat(up.stdout()).contains("Connected");
        } finally {
            up.stopTree(Duration.ofSeconds(5));
        }
    }

    /** A person's browser (trusting the test CA) opens the verification URL, signs the owner in and approves. */
    private static void approveOnTheVerificationPage(String verificationUrl) {
        IdpBrowser person = new IdpBrowser(java.net.URI.create(server.restUrl()), pki.trustingCaOnly());
        HttpResponse<String> first = person.get(verificationUrl);
        assertThat(first.statusCode()).as("sent to sign in first: %s", first.headers().map()).isEqualTo(302);
        person.follow(person.signIn(OWNER_EMAIL, OWNER_PASSWORD, null));
        HttpResponse<String> page = person.follow(person.get(verificationUrl));
        assertThat(page.statusCode()).as("%s %s", page.headers().map(), page.body()).isEqualTo(200);
        if (!page.body().contains("Device signed in")) {
            // The user's first device sign-in asks for consent; the provider remembers it for the later ones.
            assertThat(page.body()).contains(IdpBrowser.query(verificationUrl).get("user_code"));
            page = person.follow(person.submitFirstForm(page.body()));
        }
        assertThat(page.body()).as(page.body()).contains("Device signed in");
    }

    private static String ownerId() {
        for (JsonNode user : rest.get("/api/users")) {
            if (user.path("email").asText().equals(OWNER_EMAIL)) {
                return user.path("id").asText();
            }
        }
        throw new AssertionError("no user " + OWNER_EMAIL);
    }

    private static JsonNode peerNamed(String name) {
        for (JsonNode p : rest.get("/api/peers")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no peer named " + name + " in " + rest.get("/api/peers"));
    }

    private static List<String> groupIds(JsonNode peer) {
        List<String> ids = new ArrayList<>();
        peer.path("groups").forEach(g -> ids.add(g.path("id").asText()));
        return ids;
    }

    // ---------------------------------------------------------------------------------------------------------

    private static List<String> names(JsonNode peers) {
        List<String> out = new ArrayList<>();
        peers.forEach(p -> out.add(p.path("name").asText()));
        return out;
    }

    /** Mesh IPs never change for a registered peer, so they are remembered. */
    private static final Map<String, String> meshIps = new java.util.concurrent.ConcurrentHashMap<>();

    /** The mesh IP tern-server gave the client labelled {@code label}. */
    private static String meshIp(String label) {
        return meshIps.computeIfAbsent(label, l -> {
            for (JsonNode p : rest.get("/api/peers")) {
                if (p.path("name").asText().equals(hostnames.get(l))) {
                    return p.path("ip").asText();
                }
            }
            throw new AssertionError("no peer named " + hostnames.get(l));
        });
    }

    /** The FQDN tern-server gave the client labelled {@code label} (REST's dns_label is the full name). */
    private static String fqdn(String label) {
        for (JsonNode p : rest.get("/api/peers")) {
            if (p.path("name").asText().equals(hostnames.get(label))) {
                return p.path("dns_label").asText();
            }
        }
        throw new AssertionError("no peer named " + hostnames.get(label));
    }

    /** {@code dig +short name} in client {@code from}'s namespace, i.e. through the resolver its resolv.conf names. */
    private static Shell.Result dig(String from, String name) {
        return Shell.run(Shell.inNamespace(clients.get(from).namespace(), "dig", "+short", "+time=2", "+tries=2",
                name), 15);
    }

    private static byte[] readAll(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    /** How client {@code from}'s {@code netbird status} reports client {@code to}; fails when it is not listed. */
    private static JsonNode peerStatus(String from, String to) {
        NetBirdClient c = clients.get(from);
        return c.peer(meshIp(to)).orElseThrow(() -> new AssertionError(
                hostnames.get(to) + " is not in " + from + "'s netbird status:\n" + c.status() + diagnostics(c)));
    }

    /**
     * A host namespace behind {@code router}'s NAT ({@link NatHost}) whose WireGuard port (51820, where the client's
     * ICE runs) the router forwards from anyone.
     */
    private static String behindNat(String router, String label, int octet) {
        NatHost host = new NatHost(router, net.hostAddress(router), label + RUN, octet, "51820");
        natHosts.add(host);
        return host.namespace();
    }

    private static String diagnostics(NetBirdClient c) {
        return "\n--- netbird daemon " + c.label() + " log:\n" + c.logTail(40)
                + "\n--- tern-server log:\n" + server.logTail(20);
    }

    private static Shell.Result ping(String from, String ip) {
        return Mesh.ping(clients.get(from).namespace(), ip);
    }

    private static boolean tcp(String from, String ip, int port) {
        return Mesh.tcp(clients.get(from).namespace(), ip, port);
    }
}

package dev.tern.e2e;

import static dev.tern.e2e.support.Mesh.log;
import static dev.tern.e2e.support.Mesh.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.HashMap;
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
 * Issue 10's routes with tern agents, real WireGuard and the kernel's forwarding: a "site" namespace with
 * 10.10.10.0/24 (host 10.10.10.5) on a bridge behind routing peers R1 (10.10.10.1) and R2 (10.10.10.2), client A,
 * and exit node E with a host standing for the internet (203.0.113.5) behind it. A reaches management at an
 * address off its subnet, through its default route, so the exit node's routes would take that path if nothing
 * kept it out. The site host runs a TCP echo of
 * the source address it sees, so masquerading shows. The steps build on each other and run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutesEndToEndTest {

    private static final Duration CONVERGE = Duration.ofSeconds(60);
    /**
     * A routing peer whose agent stopped leaves the relay at once, and the relay tells A (the peer-state subscription
     * NetBird's client uses): A moves well before the stopped peer's handshake goes stale (180 s), the rule it would
     * otherwise have to wait out.
     */
    private static final Duration FAILOVER = Duration.ofSeconds(60);
    /** Namespaces and links are named t&lt;label&gt;rt&lt;n&gt; (TestNetwork's scheme), apart from the other e2e runs. */
    private static final String RUN = "rt" + ThreadLocalRandom.current().nextInt(100, 999);
    /** 10.231.79.0/24: MeshEndToEndTest takes 10.231.100-199, the NetBird ones 77, 78 and 80. */
    private static final int SUBNET_OCTET = 79;
    private static final String SITE_HOST = "10.10.10.5";
    private static final String INTERNET_HOST = "203.0.113.5";
    private static final int ECHO_PORT = 7000;
    /**
     * A second address of the server, off every subnet: A reaches management there through its default route (via
     * the server's bridge address), the path an exit node's routes would take into the tunnel.
     */
    private static final String FAR_SERVER = "198.51.100.1";

    private static TestBed bed;
    private static TestNetwork net;
    private static TernServer server;
    private static Rest rest;
    private static final Map<String, Agent> agents = new HashMap<>();
    private static final List<ChildProcess> helpers = new ArrayList<>();
    private static final List<String> extraNamespaces = new ArrayList<>();
    private static String clients;
    private static String routers;
    private static String siteAccess;
    private static String setupKey;
    private static String siteRoute;

    record Agent(String label, String namespace, String iface, Path configDir, ChildProcess process) {
    }

    @BeforeAll
    static void buildTestBed() throws Exception {
        Shell.requireRootAndTools("wireguard-go", "wg", "ip", "nft", "ping", "bash", "timeout");
        ChildProcess.artifact("../agent/target/tern.jar");
        bed = TestBed.plain(RUN, SUBNET_OCTET, "tern-server-routes-" + RUN, Map.of(), "routes-e2e@example.com",
                "Routes Admin");
        net = bed.net();
        server = bed.server();
        rest = bed.rest();
        Shell.must(in(net.serverNamespace(), "ip", "addr", "add", FAR_SERVER + "/32", "dev", "lo"));
        clients = rest.post("/api/groups", Map.of("name", "clients")).get("id").asText();
        routers = rest.post("/api/groups", Map.of("name", "routers")).get("id").asText();
        siteAccess = rest.post("/api/groups", Map.of("name", "site-access")).get("id").asText();
        setupKey = rest.post("/api/setup-keys", Map.of("name", "routes-key", "type", "reusable",
                "expires_in", 86400, "auto_groups", List.of(), "usage_limit", 10)).get("key").asText();
        // clients and routing peers see each other: the route's routing peer must be a peer A may connect to
        rest.post("/api/policies", policy("clients-routers", clients, routers, true, "all", List.of()));

        startAgent("a", "alpha", clients, true);
        startAgent("r1", "router1", routers, false);

        // the site: a bridge with the site host, R1 on it at 10.10.10.1 (R2 joins later at 10.10.10.2)
        String site = namespace("site");
        Shell.must(in(site, "ip", "link", "add", "sbr" + RUN, "type", "bridge"));
        Shell.must(in(site, "ip", "addr", "add", SITE_HOST + "/24", "dev", "sbr" + RUN));
        Shell.must(in(site, "ip", "link", "set", "sbr" + RUN, "up"));
        connectToSite("r1", "10.10.10.1");
        echo(site, "site");
    }

    private static String namespace(String label) {
        String ns = "t" + label + RUN;
        Shell.run("ip", "netns", "del", ns);
        Shell.must("ip", "netns", "add", ns);
        Shell.must(in(ns, "ip", "link", "set", "lo", "up"));
        extraNamespaces.add(ns);
        return ns;
    }

    /** A veth from the agent's namespace onto the site bridge. */
    private static void connectToSite(String label, String address) {
        String site = "tsite" + RUN;
        String inside = "s" + label + RUN;
        String outside = "x" + label + RUN;
        Shell.must("ip", "link", "add", inside, "type", "veth", "peer", "name", outside);
        Shell.must("ip", "link", "set", inside, "netns", agents.get(label).namespace());
        Shell.must("ip", "link", "set", outside, "netns", site);
        Shell.must(in(site, "ip", "link", "set", outside, "master", "sbr" + RUN));
        Shell.must(in(site, "ip", "link", "set", outside, "up"));
        Shell.must(in(agents.get(label).namespace(), "ip", "addr", "add", address + "/24", "dev", inside));
        Shell.must(in(agents.get(label).namespace(), "ip", "link", "set", inside, "up"));
    }

    private static void echo(String ns, String name) {
        helpers.add(ChildProcess.start("source-echo-" + name + "-" + RUN,
                Shell.inNamespace(ns, ChildProcess.java(), "-cp",
                        Path.of("target", "test-classes").toAbsolutePath().toString(),
                        "dev.tern.e2e.support.SourceEcho", Integer.toString(ECHO_PORT)),
                Map.of(), log("source-echo-" + name + "-" + RUN)));
    }

    private static String[] in(String ns, String... command) {
        return Shell.inNamespace(ns, command).toArray(String[]::new);
    }

    private static void startAgent(String label, String hostname, String group, boolean managementViaGateway)
            throws Exception {
        String ns = net.addHost(label);
        if (managementViaGateway) {
            Shell.must(in(ns, "ip", "route", "add", "default", "via", net.serverAddress()));
        }
        String iface = "wt" + label + RUN;
        Path configDir = Files.createTempDirectory("tern-e2e-routes-" + label + "-");
        Path keyFile = Files.createTempFile("tern-e2e-routes-" + label + "-", ".setup-key",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(keyFile, setupKey + "\n");
        ChildProcess p = ChildProcess.start("agent-routes-" + label + "-" + RUN,
                Shell.inNamespace(ns, ChildProcess.java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar",
                        ChildProcess.artifact("../agent/target/tern.jar"), "up",
                        "--setup-key-file", keyFile.toString(), "--management-url",
                        managementViaGateway ? "http://" + FAR_SERVER + ":33073" : server.managementUrl(),
                        "--interface", iface, "--config-dir", configDir.toString(), "--wg-port", "51820",
                        "--hostname", hostname),
                Map.of(), log("agent-routes-" + label + "-" + RUN));
        agents.put(label, new Agent(label, ns, iface, configDir, p));
        // a host joining the bridge may change its MAC: a REST call can time out until ARP catches up
        String peerId = await(hostname + " registered").atMost(CONVERGE).ignoreExceptions()
                .until(() -> peerIdOf(hostname), id -> id != null);
        JsonNode groupNode = rest.get("/api/groups/" + group);
        List<String> members = new ArrayList<>();
        groupNode.path("peers").forEach(m -> members.add(m.path("id").asText()));
        members.add(peerId);
        rest.put("/api/groups/" + group, Map.of("name", groupNode.path("name").asText(), "peers", members));
    }

    private static String peerIdOf(String name) {
        for (JsonNode p : rest.get("/api/peers")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("id").asText();
            }
        }
        return null;
    }

    private static String meshIp(String name) {
        for (JsonNode p : rest.get("/api/peers")) {
            if (p.path("name").asText().equals(name)) {
                return p.path("ip").asText();
            }
        }
        throw new AssertionError("no peer " + name);
    }

    @AfterAll
    static void tearDown() {
        helpers.forEach(h -> h.stopTree(Duration.ofSeconds(5)));
        for (Agent a : agents.values()) {
            a.process().stopTree(Duration.ofSeconds(15));
            Shell.run(Shell.inNamespace(a.namespace(), "ip", "link", "del", a.iface()), 10);
        }
        extraNamespaces.forEach(ns -> Shell.run("ip", "netns", "del", ns));
        if (bed != null) {
            bed.close();
        }
    }

    /** The source address the echo at {@code ip} saw for a connection from {@code label}'s namespace, or null. */
    private static String sourceSeen(String label, String ip) {
        Shell.Result r = Shell.run(Shell.inNamespace(agents.get(label).namespace(), "timeout", "3", "bash", "-c",
                "exec 3<>/dev/tcp/" + ip + "/" + ECHO_PORT + " && head -n 1 <&3"), 10);
        return r.ok() ? r.output().strip() : null;
    }

    private static Map<String, Object> route(String network, String peerId, long metric, boolean masquerade,
                                             List<String> accessControlGroups) {
        Map<String, Object> body = new HashMap<>(Map.of("description", "e2e", "network_id",
                network.endsWith("/0") ? "exit" : "site", "network", network, "peer", peerId, "enabled", true,
                "metric", metric, "masquerade", masquerade, "groups", List.of(clients), "keep_route", false));
        if (!accessControlGroups.isEmpty()) {
            body.put("access_control_groups", accessControlGroups);
        }
        return body;
    }

    private static String diagnostics(String... labels) {
        StringBuilder out = new StringBuilder();
        for (String label : labels) {
            Agent a = agents.get(label);
            out.append("\n--- agent ").append(label).append(" log:\n").append(a.process().logTail(25))
                    .append("\n--- wg:\n").append(Shell.run(Shell.inNamespace(a.namespace(), "wg", "show"), 10).output())
                    .append("\n--- routes:\n").append(Shell.run(Shell.inNamespace(a.namespace(), "ip", "route"), 10).output())
                    .append("\n--- nft:\n").append(Shell.run(Shell.inNamespace(a.namespace(), "nft", "list", "ruleset"), 10).output());
        }
        return out.toString();
    }

    private static JsonNode status(String label) {
        Agent a = agents.get(label);
        Shell.Result r = Shell.run(Shell.inNamespace(a.namespace(), ChildProcess.java(), "-jar",
                ChildProcess.artifact("../agent/target/tern.jar"), "status", "--json",
                "--config-dir", a.configDir().toString()), 30);
        assertThat(r.ok()).as("tern status failed: %s", r.output()).isTrue();
        try {
            return Rest.JSON.readTree(r.output());
        } catch (Exception e) {
            throw new AssertionError("tern status --json is not JSON: " + r.output(), e);
        }
    }

    private static String ipForward(String label) {
        return Shell.must(in(agents.get(label).namespace(), "cat", "/proc/sys/net/ipv4/ip_forward")).strip();
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Order(10)
    void theSiteIsReachableOnlyWhileARouteAndAPolicyAllowIt() {
        await("A and R1 connected").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Shell.run(Shell.inNamespace(agents.get("a").namespace(), "ping", "-c", "1", "-W", "2",
                        meshIp("router1")), 10).ok()).as(diagnostics("a", "r1")).isTrue());
        assertThat(sourceSeen("a", SITE_HOST)).as("no route yet").isNull();
        assertThat(ipForward("r1")).as("R1 serves nothing yet").isEqualTo("0");

        // a route whose access-control group no policy names: A gets it, R1 forwards nothing of A's
        siteRoute = rest.post("/api/routes", route("10.10.10.0/24", peerIdOf("router1"), 100, true,
                List.of(siteAccess))).get("id").asText();
        await("A routes the site through R1").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Shell.must(in(agents.get("a").namespace(), "ip", "route", "show", "10.10.10.0/24")))
                        .contains("dev " + agents.get("a").iface()));
        await("R1 forwards").atMost(CONVERGE).untilAsserted(() -> assertThat(ipForward("r1")).isEqualTo("1"));
        assertThat(sourceSeen("a", SITE_HOST)).as("no policy towards the route's access-control group").isNull();

        String policy = rest.post("/api/policies", policy("clients-site", clients, siteAccess, false, "tcp",
                List.of(Integer.toString(ECHO_PORT)))).get("id").asText();
        await("A reaches the site host, masqueraded as R1").atMost(CONVERGE).untilAsserted(() ->
                assertThat(sourceSeen("a", SITE_HOST)).as(diagnostics("a", "r1")).isEqualTo("10.10.10.1"));
        JsonNode route = StreamSupport.stream(status("a").path("routes").spliterator(), false).findFirst().orElseThrow();
        assertThat(route.path("network").asText()).isEqualTo("10.10.10.0/24");
        assertThat(route.path("routingPeer").asText()).isEqualTo("router1");
        assertThat(route.path("state").asText()).isEqualTo("active");

        rest.delete("/api/policies/" + policy);
        await("without the policy R1 stops forwarding").atMost(CONVERGE).untilAsserted(() ->
                assertThat(sourceSeen("a", SITE_HOST)).isNull());
        rest.post("/api/policies", policy("clients-site", clients, siteAccess, false, "tcp",
                List.of(Integer.toString(ECHO_PORT))));
        await("the policy again").atMost(CONVERGE).untilAsserted(() ->
                assertThat(sourceSeen("a", SITE_HOST)).isEqualTo("10.10.10.1"));
    }

    @Test
    @Order(20)
    void withoutMasqueradeTheSiteHostSeesTheMeshAddress() {
        // the site host needs its way back to the mesh when R1 does not masquerade
        Shell.must(in("tsite" + RUN, "ip", "route", "replace", "100.64.0.0/10", "via", "10.10.10.1"));
        rest.put("/api/routes/" + siteRoute, route("10.10.10.0/24", peerIdOf("router1"), 100, false,
                List.of(siteAccess)));
        String alpha = meshIp("alpha");
        await("the site host sees A's mesh IP").atMost(CONVERGE).untilAsserted(() ->
                assertThat(sourceSeen("a", SITE_HOST)).as(diagnostics("r1")).isEqualTo(alpha));

        rest.put("/api/routes/" + siteRoute, route("10.10.10.0/24", peerIdOf("router1"), 100, true,
                List.of(siteAccess)));
        await("masqueraded again").atMost(CONVERGE).untilAsserted(() ->
                assertThat(sourceSeen("a", SITE_HOST)).isEqualTo("10.10.10.1"));
    }

    @Test
    @Order(30)
    void stoppingTheRoutingPeerMovesTrafficToTheOtherOne() throws Exception {
        startAgent("r2", "router2", routers, false);
        connectToSite("r2", "10.10.10.2");
        rest.post("/api/routes", route("10.10.10.0/24", peerIdOf("router2"), 200, true, List.of(siteAccess)));
        await("R2 forwards as a second routing peer").atMost(CONVERGE).untilAsserted(() ->
                assertThat(ipForward("r2")).isEqualTo("1"));
        assertThat(sourceSeen("a", SITE_HOST)).as("the lower metric stays in use").isEqualTo("10.10.10.1");

        Agent r1 = agents.get("r1");
        r1.process().stopTree(Duration.ofSeconds(15));
        assertThat(ipForward("r1")).as("tern down puts forwarding back").isEqualTo("0");
        assertThat(Shell.run(in(r1.namespace(), "nft", "list", "table", "inet", "tern_" + r1.iface())).ok())
                .as("tern down removes the table").isFalse();

        await("A's traffic moves to R2").atMost(FAILOVER).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(sourceSeen("a", SITE_HOST)).as(diagnostics("a", "r2")).isEqualTo("10.10.10.2"));
        JsonNode route = StreamSupport.stream(status("a").path("routes").spliterator(), false).findFirst().orElseThrow();
        assertThat(route.path("routingPeer").asText()).isEqualTo("router2");
    }

    @Test
    @Order(40)
    void anExitNodeCarriesTheInternetWhileManagementStaysReachable() throws Exception {
        startAgent("e", "exit", routers, false);
        // the internet: a namespace behind E on 203.0.113.0/24
        String internet = namespace("inet");
        Shell.must("ip", "link", "add", "ie" + RUN, "type", "veth", "peer", "name", "ii" + RUN);
        Shell.must("ip", "link", "set", "ie" + RUN, "netns", agents.get("e").namespace());
        Shell.must("ip", "link", "set", "ii" + RUN, "netns", internet);
        Shell.must(in(agents.get("e").namespace(), "ip", "addr", "add", "203.0.113.1/24", "dev", "ie" + RUN));
        Shell.must(in(agents.get("e").namespace(), "ip", "link", "set", "ie" + RUN, "up"));
        Shell.must(in(internet, "ip", "addr", "add", INTERNET_HOST + "/24", "dev", "ii" + RUN));
        Shell.must(in(internet, "ip", "link", "set", "ii" + RUN, "up"));
        echo(internet, "internet");
        assertThat(sourceSeen("a", INTERNET_HOST)).as("A has no way to the internet yet").isNull();

        String exitRoute = rest.post("/api/routes", route("0.0.0.0/0", peerIdOf("exit"), 100, true, List.of()))
                .get("id").asText();
        await("A reaches the internet through E").atMost(CONVERGE).untilAsserted(() ->
                assertThat(sourceSeen("a", INTERNET_HOST)).as(diagnostics("a", "e")).isEqualTo("203.0.113.1"));
        assertThat(Shell.must(in(agents.get("a").namespace(), "ip", "route")))
                .contains("0.0.0.0/1 dev " + agents.get("a").iface())
                .contains("128.0.0.0/1 dev " + agents.get("a").iface());
        // A reaches management at an address its default route led to: a host route keeps it off the exit node
        assertThat(Shell.must(in(agents.get("a").namespace(), "ip", "route", "show", FAR_SERVER)))
                .contains("via " + net.serverAddress());
        assertThat(dev.tern.e2e.support.Mesh.tcp(agents.get("a").namespace(), FAR_SERVER, 33073))
                .as("management stays reachable outside the mesh").isTrue();
        assertThat(status("a").path("management").path("state").asText()).isEqualTo("connected");

        // the next map still reaches A over its Sync stream: deleting the route takes the exit routes away again
        rest.delete("/api/routes/" + exitRoute);
        await("the exit route goes").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Shell.must(in(agents.get("a").namespace(), "ip", "route"))).doesNotContain("0.0.0.0/1")
                        .doesNotContain(FAR_SERVER));
        assertThat(sourceSeen("a", INTERNET_HOST)).isNull();
    }

    // --- a domain route (issue 10): A resolves app.site.test through R2's forwarder and reaches it through R2

    private static final String SITE_DOMAIN = "app.site.test";

    /** {@code dig +short} from {@code label}'s namespace at its own agent's resolver. */
    private static String digAtAgent(String label, String name) {
        String resolver = status(label).path("dns").path("resolver").asText();
        assertThat(resolver).as("A's resolver serves").contains(":");
        String ip = resolver.substring(0, resolver.lastIndexOf(':'));
        Shell.Result r = Shell.run(Shell.inNamespace(agents.get(label).namespace(), "dig", "+short", "+time=3",
                "+tries=1", "@" + ip, name, "A"), 15);
        return r.output().strip();
    }

    @Test
    @Order(50)
    void aDomainRouteResolvesThroughTheRoutingPeerAndCarriesOnlyWhatItsPolicyAllows() {
        Shell.requireRootAndTools("dig", "dnsmasq");
        // the network routes go: from now on only the domain route leads A to the site
        for (JsonNode r : rest.get("/api/routes")) {
            if (r.path("network_id").asText().equals("site")) {
                rest.delete("/api/routes/" + r.path("id").asText());
            }
        }
        await("the site's network routes are gone from A").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Shell.must(in(agents.get("a").namespace(), "ip", "route"))).doesNotContain("10.10.10."));
        assertThat(sourceSeen("a", SITE_HOST)).isNull();

        // the site's own DNS server, which R2 asks through a nameserver group for site.test
        helpers.add(ChildProcess.start("routes-dnsmasq-" + RUN, Shell.inNamespace("tsite" + RUN, "dnsmasq",
                "--no-daemon", "--user=root", "--pid-file=", "--no-resolv", "--no-hosts", "--bind-interfaces",
                "--listen-address=" + SITE_HOST, "--port=53", "--log-queries", "--log-facility=-",
                "--address=/" + SITE_DOMAIN + "/" + SITE_HOST), Map.of(), log("routes-dnsmasq-" + RUN)));
        rest.post("/api/dns/nameservers", Map.of("name", "site", "description", "the site's DNS server",
                "nameservers", List.of(Map.of("ip", SITE_HOST, "ns_type", "udp", "port", 53)), "enabled", true,
                "groups", List.of(routers), "primary", false, "domains", List.of("site.test"),
                "search_domains_enabled", false));

        Map<String, Object> body = new HashMap<>(Map.of("description", "e2e domain route", "network_id", "app",
                "domains", List.of(SITE_DOMAIN), "peer", peerIdOf("router2"), "enabled", true, "metric", 100,
                "masquerade", true, "groups", List.of(clients), "keep_route", false));
        body.put("access_control_groups", List.of(siteAccess));
        String domainRoute = rest.post("/api/routes", body).get("id").asText();

        await("A resolves " + SITE_DOMAIN + " through R2").atMost(CONVERGE).untilAsserted(() ->
                assertThat(digAtAgent("a", SITE_DOMAIN)).as(diagnostics("a", "r2")).isEqualTo(SITE_HOST));
        assertThat(Shell.must(in(agents.get("a").namespace(), "ip", "route", "show", SITE_HOST + "/32")))
                .as("the answer's address is routed into the mesh").contains("dev " + agents.get("a").iface());
        // by name, as a program on A would (bash resolves it): A's resolv.conf names A's resolver, which asks R2
        await("A reaches the site host by name, masqueraded as R2").atMost(CONVERGE).untilAsserted(() ->
                assertThat(sourceSeen("a", SITE_DOMAIN)).as(diagnostics("a", "r2")).isEqualTo("10.10.10.2"));
        JsonNode route = StreamSupport.stream(status("a").path("routes").spliterator(), false)
                .filter(r -> r.path("netId").asText().equals("app")).findFirst().orElseThrow();
        assertThat(route.path("network").asText()).isEqualTo(SITE_DOMAIN);
        assertThat(route.path("routingPeer").asText()).isEqualTo("router2");
        assertThat(route.path("state").asText()).isEqualTo("active");
        assertThat(route.path("resolved")).extracting(JsonNode::asText).containsExactly(SITE_HOST);
        JsonNode served = StreamSupport.stream(status("r2").path("routes").spliterator(), false)
                .filter(r -> r.path("netId").asText().equals("app")).findFirst().orElseThrow();
        assertThat(served.path("state").asText()).isEqualTo("serving");
        assertThat(served.path("resolved")).extracting(JsonNode::asText).containsExactly(SITE_HOST);

        // without the policy towards the route's access-control group R2 forwards nothing of A's
        for (JsonNode p : rest.get("/api/policies")) {
            if (p.path("name").asText().equals("clients-site")) {
                rest.delete("/api/policies/" + p.path("id").asText());
            }
        }
        await("without the policy R2 stops forwarding").atMost(CONVERGE).untilAsserted(() ->
                assertThat(sourceSeen("a", SITE_HOST)).isNull());
        String policy = rest.post("/api/policies", policy("clients-site", clients, siteAccess, false, "tcp",
                List.of(Integer.toString(ECHO_PORT)))).get("id").asText();
        await("the policy again").atMost(CONVERGE).untilAsserted(() ->
                assertThat(sourceSeen("a", SITE_HOST)).isEqualTo("10.10.10.2"));

        // the route goes: so do A's host route and the name's interception
        rest.delete("/api/routes/" + domainRoute);
        await("the domain route's address leaves A's routes").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Shell.must(in(agents.get("a").namespace(), "ip", "route"))).doesNotContain(SITE_HOST));
        assertThat(sourceSeen("a", SITE_HOST)).isNull();
        rest.delete("/api/policies/" + policy);
    }
}

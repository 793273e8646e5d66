package dev.tern.e2e;

import static dev.tern.e2e.support.Mesh.log;
import static dev.tern.e2e.support.Mesh.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.e2e.support.Mesh;
import dev.tern.e2e.support.NetBirdClient;
import dev.tern.e2e.support.Rest;
import dev.tern.e2e.support.TernServer;
import dev.tern.e2e.support.TestBed;
import dev.tern.testsupport.netns.Shell;
import dev.tern.testsupport.netns.TestNetwork;
import dev.tern.testsupport.process.ChildProcess;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 10 with NetBird's real client: routes and networks made through Tern's REST API reach NetBird clients in
 * NetBird's message shapes and the clients apply them unchanged. tern-server in one namespace, NetBird client R
 * (the routing peer) and client C in their own, joined by a bridge; a "site" namespace with 10.10.10.0/24 (a bridge
 * of its own) that only routing peers attach to. The site has no route back to the mesh, so every answer C gets from
 * 10.10.10.5 proves R masqueraded it (the step without masquerade adds one). Groups nbr-clients {C} and nbr-routers
 * {R, later a second routing peer}; R joins with NetBird's {@code --extra-dns-labels}. Steps: a route with an
 * access-control group and the policy it needs; without masquerade; a network's subnet resource with R as router;
 * R's extra label resolving on C; an exit node; two routing peers and failover. They build on each other on one
 * shared test bed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetBirdRoutesEndToEndTest {

    private static final Duration CONVERGE = Duration.ofSeconds(90);
    private static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 9999));
    /** 10.231.80.0/24: the other end-to-end classes take other subnets, so they can run side by side. */
    private static final int SUBNET_OCTET = 80;
    private static final String SITE_NETWORK = "10.10.10.0/24";
    private static final String SITE_HOST = "10.10.10.5";
    private static final String GATEWAY = "site-gateway";
    /** Stands for the internet: behind the site, reachable only through R. */
    private static final String INTERNET_HOST = "198.51.100.7";

    private static TestBed bed;
    private static TestNetwork net;
    private static TernServer server;
    private static Rest rest;
    private static NetBirdClient router;
    private static NetBirdClient client;
    private static String site;
    private static String clientsGroup;
    private static String routersGroup;
    private static String meshPolicy;
    private static String routerKey;
    private static final List<NetBirdClient> started = new java.util.ArrayList<>();

    @BeforeAll
    static void buildTestBed() throws Exception {
        Shell.requireRootAndTools("ip", "nft", "ping", "bash", "timeout", "mount", "sysctl", "dig");
        NetBirdClient.binary(NetBirdClient.NEWEST);
        bed = TestBed.plain(RUN, SUBNET_OCTET, "tern-server-nbroutes-" + RUN, Map.of(), "nbroutes-e2e@example.com",
                "NetBird Routes Admin");
        net = bed.net();
        server = bed.server();
        rest = bed.rest();
        clientsGroup = rest.post("/api/groups", Map.of("name", "nbr-clients")).get("id").asText();
        routersGroup = rest.post("/api/groups", Map.of("name", "nbr-routers")).get("id").asText();
        String clientKey = setupKey("nbr-client-key", clientsGroup);
        String routerKeyOf = setupKey("nbr-router-key", routersGroup);
        // C and R see each other: a route is only ever offered through a peer the client may connect to.
        meshPolicy = rest.post("/api/policies", policy("nbr-clients-routers", clientsGroup, routersGroup, true,
                "all", List.of())).get("id").asText();

        routerKey = routerKeyOf;
        String routerNs = net.addHost("r");
        site = site();
        attachToSite(routerNs, "10.10.10.1", "r");
        router = join("r", routerNs, "nbr-router", routerKey);
        client = join("c", net.addHost("c"), "nbr-client", clientKey);
        await("C reaches R over the mesh").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Mesh.ping(client.namespace(), router.meshIp()).ok()).as(diagnostics()).isTrue());
    }

    /**
     * The "site": a namespace with a bridge on 10.10.10.0/24 (its host 10.10.10.5 on the bridge) that routing peers
     * attach to, with no route to anything else.
     */
    private static String site() {
        String ns = "tsite" + RUN;
        String bridge = "sbr" + RUN;
        Shell.run("ip", "netns", "del", ns);
        Shell.must("ip", "netns", "add", ns);
        Shell.must("ip", "-n", ns, "link", "add", bridge, "type", "bridge");
        Shell.must("ip", "-n", ns, "addr", "add", SITE_HOST + "/24", "dev", bridge);
        Shell.must("ip", "-n", ns, "link", "set", bridge, "up");
        Shell.must("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A veth from a routing peer's namespace ({@code address}/24 on its side) to the site's bridge. */
    private static void attachToSite(String routerNs, String address, String label) {
        String inside = "si" + label + RUN;
        String outside = "so" + label + RUN;
        Shell.must("ip", "link", "add", inside, "type", "veth", "peer", "name", outside);
        Shell.must("ip", "link", "set", inside, "netns", site);
        Shell.must("ip", "-n", site, "link", "set", inside, "master", "sbr" + RUN);
        Shell.must("ip", "-n", site, "link", "set", inside, "up");
        Shell.must("ip", "link", "set", outside, "netns", routerNs);
        Shell.must("ip", "-n", routerNs, "addr", "add", address + "/24", "dev", outside);
        Shell.must("ip", "-n", routerNs, "link", "set", outside, "up");
    }

    private static String setupKey(String name, String group) {
        return rest.post("/api/setup-keys", Map.of("name", name, "type", "reusable", "expires_in", 86400,
                "auto_groups", List.of(group), "usage_limit", 10, "allow_extra_dns_labels", true)).get("key")
                .asText();
    }

    private static NetBirdClient join(String label, String ns, String hostname, String setupKey) {
        NetBirdClient c = NetBirdClient.startDaemon(label + "-" + RUN, NetBirdClient.NEWEST, ns,
                "nbr" + label + RUN, URI.create(server.managementUrl()));
        started.add(c);
        // R also answers to an extra DNS label (NetBird's --extra-dns-labels), which C resolves
        Shell.Result up = label.equals("r") ? c.up(server.managementUrl(), setupKey, hostname, "--extra-dns-labels", GATEWAY)
                : c.up(server.managementUrl(), setupKey, hostname);
        assertThat(up.ok()).as("netbird up of %s failed (%d): %s\n--- daemon log:\n%s", label, up.exitCode(),
                up.output(), c.logTail(60)).isTrue();
        return c;
    }

    @AfterAll
    static void tearDown() {
        NetBirdClient.closeAll(started);
        if (site != null) {
            Shell.run("ip", "netns", "del", site);
        }
        if (bed != null) {
            bed.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Order(10)
    void aRouteWithAnAllowingPolicyTakesTheClientIntoTheSiteThroughTheRoutingPeer() {
        assertThat(siteReachable()).as("C must not reach the site before any route").isFalse();

        String routeId = rest.post("/api/routes", route("lab", true)).get("id").asText();
        await("C selects the route").atMost(CONVERGE).untilAsserted(() -> {
            assertThat(networks()).as(diagnostics()).contains("ID: lab").contains("Network: " + SITE_NETWORK)
                    .contains("Status: Selected");
            // C lists the site under R, its routing peer; R lists it as a network it serves itself.
            assertThat(client.peer(router.meshIp()).orElseThrow().path("networks").toString())
                    .contains(SITE_NETWORK);
            assertThat(router.status().path("networks").toString()).contains(SITE_NETWORK);
        });
        await("C pings the site host through R (masqueraded: the site has no route back)").atMost(CONVERGE)
                .untilAsserted(() -> assertThat(siteReachable()).as(diagnostics()).isTrue());

        // Without the policy, C may not connect to R: the route goes away and so does the site.
        rest.put("/api/policies/" + meshPolicy, policyWith(false));
        await("without the policy C loses the site").atMost(CONVERGE).untilAsserted(() -> {
            assertThat(networks()).as(diagnostics()).doesNotContain("ID: lab");
            assertThat(siteReachable()).isFalse();
        });
        rest.put("/api/policies/" + meshPolicy, policyWith(true));
        await("the policy back, the site back").atMost(CONVERGE).untilAsserted(() ->
                assertThat(siteReachable()).as(diagnostics()).isTrue());

        rest.delete("/api/routes/" + routeId);
        await("the route deleted, the site unreachable").atMost(CONVERGE).untilAsserted(() -> {
            assertThat(networks()).as(diagnostics()).doesNotContain("ID: lab");
            assertThat(siteReachable()).isFalse();
        });
        // The mesh itself is untouched: the negative above is the route, not a broken tunnel.
        assertThat(Mesh.ping(client.namespace(), router.meshIp()).ok()).as(diagnostics()).isTrue();
    }

    @Test
    @Order(15)
    void withoutMasqueradeTheSiteSeesTheClientsMeshAddressAndAnswersOnlyWithARouteBack() {
        String routeId = rest.post("/api/routes", route("lab-plain", false)).get("id").asText();
        await("C selects the route").atMost(CONVERGE).untilAsserted(() ->
                assertThat(networks()).as(diagnostics()).contains("ID: lab-plain").contains("Status: Selected"));
        // R forwards C's packets unchanged: the site cannot answer a mesh address it has no route to...
        await("R has the route's forwarding rules").atMost(CONVERGE).untilAsserted(() ->
                assertThat(router.status().path("networks").toString()).contains(SITE_NETWORK));
        assertThat(siteReachable()).as("without masquerade and without a route back").isFalse();
        // ...and answers once it routes the mesh back through R.
        Shell.must("ip", "-n", site, "route", "add", client.meshIp() + "/32", "via", "10.10.10.1");
        try {
            await("C pings the site host with its own address").atMost(CONVERGE).untilAsserted(() ->
                    assertThat(siteReachable()).as(diagnostics()).isTrue());
        } finally {
            Shell.must("ip", "-n", site, "route", "del", client.meshIp() + "/32", "via", "10.10.10.1");
        }
        // with forwarding known to work, the route back alone made the difference: no address translation
        assertThat(siteReachable()).as("the route back removed").isFalse();
        rest.delete("/api/routes/" + routeId);
        await("the route deleted, the site unreachable").atMost(CONVERGE).untilAsserted(() ->
                assertThat(siteReachable()).as(diagnostics()).isFalse());
    }

    @Test
    @Order(20)
    void aNetworkWithASubnetResourceAndRTheRouterServesAPolicyWhoseDestinationIsTheResource() {
        assertThat(siteReachable()).isFalse();
        String network = rest.post("/api/networks", Map.of("name", "site", "description", "the site"))
                .get("id").asText();
        // The resource's own group: a policy towards a group a resource is in reaches the resource (NetBird's
        // semantics), so a group of peers here would let the mesh policy through.
        String labGroup = rest.post("/api/groups", Map.of("name", "nbr-lab")).get("id").asText();
        String resource = rest.post("/api/networks/" + network + "/resources", Map.of("name", "lab",
                "address", SITE_NETWORK, "enabled", true, "groups", List.of(labGroup))).get("id").asText();
        rest.post("/api/networks/" + network + "/routers", Map.of("peer", peerId("nbr-router"), "metric", 100,
                "masquerade", true, "enabled", true));
        assertThat(siteReachable()).as("a resource without a policy is reachable by nobody").isFalse();

        Map<String, Object> rule = new HashMap<>();
        rule.put("name", "to-lab");
        rule.put("enabled", true);
        rule.put("action", "accept");
        rule.put("bidirectional", false);
        rule.put("protocol", "all");
        rule.put("sources", List.of(clientsGroup));
        rule.put("destinationResource", Map.of("id", resource, "type", "subnet"));
        String toResource = rest.post("/api/policies", Map.of("name", "nbr-to-lab", "enabled", true,
                "rules", List.of(rule))).get("id").asText();
        await("C selects the resource's route").atMost(CONVERGE).untilAsserted(() ->
                assertThat(networks()).as(diagnostics()).contains("Network: " + SITE_NETWORK)
                        .contains("Status: Selected"));
        await("C pings the site host through the network's router").atMost(CONVERGE).untilAsserted(() ->
                assertThat(siteReachable()).as(diagnostics()).isTrue());

        rest.delete("/api/policies/" + toResource);
        await("the policy deleted, the site unreachable").atMost(CONVERGE).untilAsserted(() ->
                assertThat(siteReachable()).as(diagnostics()).isFalse());
    }

    @Test
    @Order(30)
    void theRoutingPeersExtraDnsLabelResolvesOnTheClientToItsMeshAddress() {
        String fqdn = peer("nbr-router").path("dns_label").asText();
        String name = GATEWAY + fqdn.substring(fqdn.indexOf('.'));
        await(name + " resolves on C").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Shell.run(Shell.inNamespace(client.namespace(), "dig", "+short", "+time=2", "+tries=2",
                        name), 15).output().strip()).as(diagnostics()).isEqualTo(router.meshIp()));
    }

    @Test
    @Order(40)
    void anExitNodeCarriesTheClientsTrafficToTheInternetAndLeavesItsWayToManagement() {
        // "The internet": an address behind the site that only R knows a way to.
        Shell.must("ip", "-n", site, "addr", "add", INTERNET_HOST + "/32", "dev", "lo");
        Shell.must("ip", "-n", router.namespace(), "route", "add", INTERNET_HOST + "/32", "via", SITE_HOST);
        assertThat(Mesh.ping(router.namespace(), INTERNET_HOST).ok()).as("R reaches the internet host").isTrue();
        assertThat(Mesh.ping(client.namespace(), INTERNET_HOST).ok()).as("C has no way there yet").isFalse();

        Map<String, Object> exit = route("exit", true);
        exit.put("network", "0.0.0.0/0");
        String routeId = rest.post("/api/routes", exit).get("id").asText();
        await("C selects R as its exit node").atMost(CONVERGE).untilAsserted(() ->
                assertThat(networks()).as(diagnostics()).contains("ID: exit").contains("Network: 0.0.0.0/0")
                        .contains("Status: Selected"));
        await("C reaches the internet host through R").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Mesh.ping(client.namespace(), INTERNET_HOST).ok()).as(diagnostics()).isTrue());
        // The default route through the mesh leaves management, signal and relay where they were.
        assertThat(Mesh.ping(client.namespace(), net.serverAddress()).ok()).as(diagnostics()).isTrue();
        JsonNode status = client.status();
        assertThat(status.path("management").path("connected").asBoolean()).as(status.toString()).isTrue();
        assertThat(status.path("signal").path("connected").asBoolean()).as(status.toString()).isTrue();

        rest.delete("/api/routes/" + routeId);
        await("the exit node deleted, the internet host unreachable").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Mesh.ping(client.namespace(), INTERNET_HOST).ok()).as(diagnostics()).isFalse());
    }

    @Test
    @Order(50)
    void withTwoRoutingPeersStoppingTheActiveOneMovesTheClientToTheOther() {
        String secondNs = net.addHost("s");
        attachToSite(secondNs, "10.10.10.2", "s");
        NetBirdClient second = join("s", secondNs, "nbr-router-2", routerKey);
        await("C reaches the second routing peer over the mesh").atMost(CONVERGE).untilAsserted(() ->
                assertThat(Mesh.ping(client.namespace(), second.meshIp()).ok()).as(diagnostics()).isTrue());

        // one route served by the nbr-routers group: R and the second routing peer, high availability
        Map<String, Object> ha = route("lab-ha", true);
        ha.remove("peer");
        ha.put("peer_groups", List.of(routersGroup));
        String routeId = rest.post("/api/routes", ha).get("id").asText();
        await("C reaches the site through one of the two").atMost(CONVERGE).untilAsserted(() ->
                assertThat(siteReachable()).as(diagnostics()).isTrue());
        List<String> routingPeers = List.of(router.meshIp(), second.meshIp());
        String active = activeRoutingPeer(routingPeers);

        NetBirdClient stopped = active.equals(routingPeers.get(0)) ? router : second;
        String standby = active.equals(routingPeers.get(0)) ? routingPeers.get(1) : routingPeers.get(0);
        stopped.stopDaemon();
        await("C fails over from " + stopped.label()).atMost(CONVERGE).untilAsserted(() -> {
            assertThat(siteReachable()).as(diagnostics()).isTrue();
            assertThat(activeRoutingPeer(routingPeers)).isEqualTo(standby);
        });
        rest.delete("/api/routes/" + routeId);
    }

    /** The mesh IP of the routing peer whose status entry on C lists the site: the one C routes it through. */
    private static String activeRoutingPeer(List<String> routingPeerIps) {
        for (String ip : routingPeerIps) {
            JsonNode entry = client.peer(ip).orElse(null);
            if (entry != null && entry.path("networks").toString().contains(SITE_NETWORK)
                    && entry.path("status").asText().equals("Connected")) {
                return ip;
            }
        }
        throw new AssertionError("no connected routing peer of C lists " + SITE_NETWORK + ":\n" + client.status());
    }

    // ---------------------------------------------------------------------------------------------------------

    /** A route to the site through R for nbr-clients, let through for the sources of policies towards nbr-routers. */
    private static Map<String, Object> route(String networkId, boolean masquerade) {
        Map<String, Object> body = new HashMap<>();
        body.put("description", "the site");
        body.put("network_id", networkId);
        body.put("network", SITE_NETWORK);
        body.put("peer", peerId("nbr-router"));
        body.put("enabled", true);
        body.put("metric", 9999);
        body.put("masquerade", masquerade);
        body.put("keep_route", false);
        body.put("groups", List.of(clientsGroup));
        body.put("access_control_groups", List.of(routersGroup));
        return body;
    }

    private static Map<String, Object> policyWith(boolean enabled) {
        Map<String, Object> body = new HashMap<>(policy("nbr-clients-routers", clientsGroup, routersGroup, true,
                "all", List.of()));
        body.put("enabled", enabled);
        return body;
    }

    private static String peerId(String name) {
        return peer(name).path("id").asText();
    }

    private static JsonNode peer(String name) {
        for (JsonNode p : rest.get("/api/peers")) {
            if (p.path("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no peer named " + name);
    }

    /** {@code netbird networks ls} on C. */
    private static String networks() {
        Shell.Result r = client.cli(30, "networks", "ls");
        assertThat(r.ok()).as("netbird networks ls: %s", r.output()).isTrue();
        return r.output();
    }

    private static boolean siteReachable() {
        return Mesh.ping(client.namespace(), SITE_HOST).ok();
    }

    private static String diagnostics() {
        return "\n--- netbird C log:\n" + client.logTail(30) + "\n--- netbird R log:\n" + router.logTail(30)
                + "\n--- tern-server log:\n" + server.logTail(15);
    }
}

package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.Route;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

/** A route made through REST reaches the devices over Sync in NetBird's shape, and leaves when it is deleted. */
@TernIntegrationTest
class RoutesGrpcTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    TestHttp http;
    @Autowired
    ManagementGrpcServer grpcServer;

    /** Every peer a test opens, closed after it. */
    @RegisterExtension
    final TestPeer.Fleet fleet = new TestPeer.Fleet();

    @Test
    void theClientGetsTheRouteThroughItsRoutingPeerAndTheRoutingPeerItsFirewallRules() throws Exception {
        String dev = group(unique("dev"));
        String routers = group(unique("routers"));
        TestHttp.Response policy = http.post("/api/policies", http.adminToken(), Map.of("name", unique("to-routers"),
                "enabled", true, "rules", List.of(Map.of("name", "r", "enabled", true, "action", "accept",
                        "bidirectional", true, "protocol", "all", "sources", List.of(dev),
                        "destinations", List.of(routers)))));
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);
        TestPeer client = fleet.newPeer(grpcServer.port());
        client.login(setupKey(dev), unique("client"));
        TestPeer router = fleet.newPeer(grpcServer.port());
        String routerName = unique("router");
        router.login(setupKey(routers), routerName);
        String routerId = http.awaitPeerByName(routerName, WAIT).get("id").asText();
        TestPeer.SyncHandle clientSync = client.sync();
        TestPeer.SyncHandle routerSync = router.sync();

        Map<String, Object> body = new HashMap<>(Map.of("description", "", "network_id", "lab", "enabled", true,
                "network", "10.77.0.0/24", "peer", routerId, "metric", 10, "masquerade", true,
                "groups", List.of(dev), "keep_route", false));
        TestHttp.Response created = http.post("/api/routes", http.adminToken(), body);
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String routeId = created.json().get("id").asText();

        NetworkMap clientMap = clientSync.nextMatching(0, m -> m.getRoutesCount() == 1, WAIT);
        Route route = clientMap.getRoutes(0);
        assertThat(route.getID()).isEqualTo(routeId);
        assertThat(route.getNetwork()).isEqualTo("10.77.0.0/24");
        assertThat(route.getNetID()).isEqualTo("lab");
        assertThat(route.getPeer()).isEqualTo(router.publicKey());
        assertThat(route.getMetric()).isEqualTo(10);
        assertThat(route.getMasquerade()).isTrue();
        NetworkMap routerMap = routerSync.nextMatching(0, m -> m.getRoutesFirewallRulesCount() == 1, WAIT);
        assertThat(routerMap.getRoutesFirewallRules(0).getDestination()).isEqualTo("10.77.0.0/24");
        assertThat(routerMap.getRoutesFirewallRules(0).getSourceRangesList()).containsExactly("0.0.0.0/0");
        assertThat(routerMap.getRoutes(0).getPeer()).isEqualTo(router.publicKey());

        assertThat(http.delete("/api/routes/" + routeId, http.adminToken()).status()).isEqualTo(200);
        clientSync.nextMatching(clientMap.getSerial(), m -> m.getRoutesCount() == 0, WAIT);
        routerSync.nextMatching(routerMap.getSerial(),
                m -> m.getRoutesFirewallRulesCount() == 0 && m.getRoutesFirewallRulesIsEmpty(), WAIT);
    }

    @Test
    void aNetworkResourceReachesThePeersAPolicyLetsReachItThroughTheNetworksRouter() throws Exception {
        String dev = group(unique("dev"));
        String lab = group(unique("lab"));
        TestPeer client = fleet.newPeer(grpcServer.port());
        client.login(setupKey(dev), unique("client"));
        TestPeer router = fleet.newPeer(grpcServer.port());
        String routerName = unique("router");
        router.login(setupKey(lab), routerName);
        String routerId = http.awaitPeerByName(routerName, WAIT).get("id").asText();
        TestPeer.SyncHandle clientSync = client.sync();
        TestPeer.SyncHandle routerSync = router.sync();

        String network = http.post("/api/networks", http.adminToken(), Map.of("name", unique("site")))
                .json().get("id").asText();
        String resource = http.post("/api/networks/" + network + "/resources", http.adminToken(), Map.of(
                "name", "nas", "address", "10.78.0.5", "enabled", true, "groups", List.of(lab))).json()
                .get("id").asText();
        TestHttp.Response networkRouter = http.post("/api/networks/" + network + "/routers", http.adminToken(),
                Map.of("peer", routerId, "metric", 20, "masquerade", true, "enabled", true));
        assertThat(networkRouter.status()).as(networkRouter.toString()).isEqualTo(200);
        // the client's only way to the router: a policy towards the resource's group
        TestHttp.Response policy = http.post("/api/policies", http.adminToken(), Map.of("name", unique("to-nas"),
                "enabled", true, "rules", List.of(Map.of("name", "r", "enabled", true, "action", "accept",
                        "bidirectional", false, "protocol", "tcp", "ports", List.of("445"), "sources", List.of(dev),
                        "destinations", List.of(lab)))));
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);

        NetworkMap clientMap = clientSync.nextMatching(0, m -> m.getRoutesCount() == 1, WAIT);
        Route route = clientMap.getRoutes(0);
        assertThat(route.getID()).isEqualTo(resource + ":" + routerId);
        assertThat(route.getNetwork()).isEqualTo("10.78.0.5/32");
        assertThat(route.getNetID()).isEqualTo("nas");
        assertThat(route.getPeer()).isEqualTo(router.publicKey());
        assertThat(route.getKeepRoute()).isTrue();
        assertThat(clientMap.getRemotePeersList()).extracting(r -> r.getWgPubKey())
                .containsExactly(router.publicKey());
        NetworkMap routerMap = routerSync.nextMatching(0, m -> m.getRoutesFirewallRulesCount() == 1, WAIT);
        var rule = routerMap.getRoutesFirewallRules(0);
        assertThat(rule.getDestination()).isEqualTo("10.78.0.5/32");
        assertThat(rule.getPortInfo().getPort()).isEqualTo(445);
        assertThat(rule.getSourceRangesList()).containsExactly(
                clientMap.getPeerConfig().getAddress().replaceAll("/\\d+$", "/32"));
    }

    private String group(String name) {
        TestHttp.Response r = http.post("/api/groups", http.adminToken(), Map.of("name", name));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    private String setupKey(String autoGroup) {
        TestHttp.Response r = http.post("/api/setup-keys", http.adminToken(), Map.of("name", unique("key"),
                "type", "reusable", "expires_in", 86400, "auto_groups", List.of(autoGroup), "usage_limit", 0));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("key").asText();
    }

    private static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }
}

package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class RoutesApiTest extends ApiTestSupport {
    /** Each test routes its own 10.x.0.0/16, so the shared account never sees the same network twice. */
    private static final AtomicInteger NETWORKS = new AtomicInteger(1);

    private static String freshNetwork() {
        return "10." + NETWORKS.getAndIncrement() + ".0.0/16";
    }

    private String routingPeer() {
        return register(createSetupKey("reusable", 0, List.of()).key(), unique("router")).peerId();
    }

    private static Map<String, Object> route(String network, String peer, List<String> groups) {
        Map<String, Object> body = new HashMap<>(Map.of("description", "the lab", "network_id", "lab",
                "enabled", true, "metric", 9999, "masquerade", true, "groups", groups, "keep_route", false));
        return with(body, "network", network, "peer", peer);
    }

    private static Map<String, Object> with(Map<String, Object> body, Object... keysAndValues) {
        Map<String, Object> changed = new HashMap<>(body);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] == null) {
                changed.remove((String) keysAndValues[i]);
            } else {
                changed.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return changed;
    }

    @Test
    void createGetUpdateDeleteInNetBirdsShape() {
        String dev = createGroup(unique("dev"));
        String peer = routingPeer();
        String network = freshNetwork();
        TestHttp.Response created = http.post("/api/routes", admin(), route(network, peer, List.of(dev)));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        JsonNode r = created.json();
        String id = r.get("id").asText();
        assertThat(r.get("network_type").asText()).isEqualTo("IPv4");
        assertThat(r.get("network").asText()).isEqualTo(network);
        assertThat(r.get("network_id").asText()).isEqualTo("lab");
        assertThat(r.get("description").asText()).isEqualTo("the lab");
        assertThat(r.get("peer").asText()).isEqualTo(peer);
        assertThat(r.has("peer_groups")).isFalse();
        assertThat(r.has("access_control_groups")).isFalse();
        assertThat(r.get("domains").isArray()).isTrue();
        assertThat(r.get("metric").asInt()).isEqualTo(9999);
        assertThat(r.get("masquerade").asBoolean()).isTrue();
        assertThat(r.get("keep_route").asBoolean()).isFalse();
        assertThat(r.get("skip_auto_apply").asBoolean()).isFalse();
        assertThat(r.get("groups").get(0).asText()).isEqualTo(dev);
        assertThat(http.get("/api/routes/" + id, admin()).json()).isEqualTo(r);
        assertThat(texts(http.get("/api/routes", admin()).json(), "id")).contains(id);

        // a domain route through a peer group; the domains come back lower-cased, the network as NetBird's placeholder
        String routers = createGroup(admin(), unique("routers"), List.of(peer));
        TestHttp.Response updated = http.put("/api/routes/" + id, admin(), with(route(null, null, List.of(dev)),
                "network", null, "peer", null, "domains", List.of("Corp.Example", "*.corp.example"),
                "peer_groups", List.of(routers), "access_control_groups", List.of(dev), "metric", 10));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        JsonNode u = http.get("/api/routes/" + id, admin()).json();
        assertThat(u.get("network_type").asText()).isEqualTo("Domain");
        assertThat(u.get("network").asText()).isEqualTo("192.0.2.0/32");
        assertThat(u.get("domains").get(0).asText()).isEqualTo("corp.example");
        assertThat(u.get("peer").asText()).isEmpty();
        assertThat(u.get("peer_groups").get(0).asText()).isEqualTo(routers);
        assertThat(u.get("access_control_groups").get(0).asText()).isEqualTo(dev);

        JsonNode audit = http.get("/api/events/audit?target_id=" + id, admin()).json();
        assertThat(texts(audit, "activity_code")).containsExactly("route.update", "route.add");

        assertError(http.delete("/api/groups/" + dev, admin()), 409);
        assertThat(http.delete("/api/routes/" + id, admin()).status()).isEqualTo(200);
        assertError(http.get("/api/routes/" + id, admin()), 404);
        assertThat(http.delete("/api/groups/" + dev, admin()).status()).isEqualTo(200);
    }

    @Test
    void hostBitsAreMaskedAndAnExitNodeIsARouteToEverything() {
        String dev = createGroup(unique("dev"));
        String peer = routingPeer();
        JsonNode masked = http.post("/api/routes", admin(), route("172.20.7.9/24", peer, List.of(dev))).json();
        assertThat(masked.get("network").asText()).isEqualTo("172.20.7.0/24");
        TestHttp.Response exit = http.post("/api/routes", admin(), route("0.0.0.0/0", peer, List.of(dev)));
        assertThat(exit.status()).as(exit.toString()).isEqualTo(200);
        assertThat(exit.json().get("network").asText()).isEqualTo("0.0.0.0/0");
    }

    @Test
    void badInputIsRefusedInNetBirdsErrorShapeAndAppendsNothing() {
        String dev = createGroup(unique("dev"));
        String peer = routingPeer();
        String routers = createGroup(admin(), unique("routers"), List.of(peer));
        String network = freshNetwork();
        Map<String, Object> good = route(network, peer, List.of(dev));
        long before = auditTotal(admin());
        assertError(post(with(good, "network", "10.0.0.0/33")), 400);
        assertError(post(with(good, "network", "10.0.0.300/24")), 400);
        assertError(post(with(good, "network", "fd00::/64")), 400);
        String[] meshIp = http.get("/api/peers/" + peer, admin()).json().get("ip").asText().split("\\.");
        assertError(post(with(good, "network", meshIp[0] + "." + meshIp[1] + ".200.0/24")), 400); // inside the mesh
        assertError(post(with(good, "peer", null)), 400);                     // neither peer nor peer_groups
        assertError(post(with(good, "peer_groups", List.of(routers))), 400);  // both
        assertError(post(with(good, "network", null)), 400);                  // neither network nor domains
        assertError(post(with(good, "domains", List.of("corp.example"))), 400); // both
        assertError(post(with(good, "network", null, "domains", List.of("bad..example"))), 400);
        assertError(post(with(good, "peer", "no-such-peer")), 400);
        assertError(post(with(good, "groups", List.of("no-such-group"))), 400);
        assertError(post(with(good, "metric", 0)), 400);
        assertError(post(with(good, "metric", 10000)), 400);
        assertError(post(with(good, "network_id", "")), 400);
        assertError(post(with(good, "network_id", "x".repeat(41))), 400);
        assertError(post(with(good, "masquerade", null)), 400);
        assertThat(auditTotal(admin())).isEqualTo(before);

        // a second route to the same network through the same peer is a conflict, not high availability
        assertThat(post(good).status()).isEqualTo(200);
        long afterOne = auditTotal(admin());
        assertError(post(good), 409);
        assertError(post(with(good, "peer", null, "peer_groups", List.of(routers))), 409);
        assertThat(auditTotal(admin())).isEqualTo(afterOne);
        assertError(http.put("/api/routes/no-such-route", admin(), good), 404);
    }

    @Test
    void anotherAccountsRouteIsNotFound() {
        String dev = createGroup(unique("dev"));
        String id = post(route(freshNetwork(), routingPeer(), List.of(dev))).json().get("id").asText();
        OtherAccount other = otherAccount();
        assertError(http.get("/api/routes/" + id, other.token()), 404);
        assertError(http.delete("/api/routes/" + id, other.token()), 404);
        assertThat(http.get("/api/routes", other.token()).json()).isEmpty();
    }

    private TestHttp.Response post(Map<String, Object> body) {
        return http.post("/api/routes", admin(), body);
    }
}

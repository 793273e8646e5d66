package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class NetworksApiTest extends ApiTestSupport {

    private String network() {
        TestHttp.Response r = http.post("/api/networks", admin(), Map.of("name", unique("site"),
                "description", "the site"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    @Test
    void networksResourcesAndRoutersInNetBirdsShape() {
        String dev = createGroup(unique("dev"));
        String net = network();
        String peer = register(createSetupKey("reusable", 0, List.of()).key(), unique("router")).peerId();

        TestHttp.Response subnet = http.post("/api/networks/" + net + "/resources", admin(), Map.of("name", "lab",
                "address", "10.10.10.0/24", "enabled", true, "groups", List.of(dev)));
        assertThat(subnet.status()).as(subnet.toString()).isEqualTo(200);
        JsonNode s = subnet.json();
        assertThat(s.get("type").asText()).isEqualTo("subnet");
        assertThat(s.get("address").asText()).isEqualTo("10.10.10.0/24");
        assertThat(s.get("groups").get(0).get("id").asText()).isEqualTo(dev);
        assertThat(http.post("/api/networks/" + net + "/resources", admin(), Map.of("name", "nas",
                "address", "10.10.10.5", "enabled", true, "groups", List.of(dev))).json().get("type").asText())
                .isEqualTo("host");
        assertThat(http.post("/api/networks/" + net + "/resources", admin(), Map.of("name", "corp",
                "address", "*.corp.example", "enabled", true, "groups", List.of(dev))).json().get("type").asText())
                .isEqualTo("domain");

        // the resources show in their group, as in NetBird
        JsonNode devGroup = http.get("/api/groups/" + dev, admin()).json();
        assertThat(devGroup.get("resources_count").asInt()).isEqualTo(3);
        assertThat(texts(devGroup.get("resources"), "type")).containsExactlyInAnyOrder("subnet", "host", "domain");

        TestHttp.Response router = http.post("/api/networks/" + net + "/routers", admin(), Map.of("peer", peer,
                "metric", 100, "masquerade", true, "enabled", true));
        assertThat(router.status()).as(router.toString()).isEqualTo(200);
        String routerId = router.json().get("id").asText();
        assertThat(router.json().get("peer").asText()).isEqualTo(peer);
        assertThat(router.json().get("metric").asInt()).isEqualTo(100);

        String policy = createPolicy(unique("to-lab"), List.of(dev), List.of(dev));
        // NetBird's newer policies name the resource itself and no destination groups
        String resourceId = s.get("id").asText();
        Map<String, Object> toResource = new java.util.HashMap<>(rule("r", List.of(dev), List.of(), false, "tcp",
                List.of("22")));
        toResource.remove("destinations");
        toResource.put("destinationResource", Map.of("id", resourceId, "type", "subnet"));
        TestHttp.Response resourcePolicy = http.post("/api/policies", admin(), Map.of("name", unique("ssh-lab"),
                "enabled", true, "rules", List.of(toResource)));
        assertThat(resourcePolicy.status()).as(resourcePolicy.toString()).isEqualTo(200);
        JsonNode rule = resourcePolicy.json().get("rules").get(0);
        assertThat(rule.get("destinationResource").get("id").asText()).isEqualTo(resourceId);
        assertThat(rule.get("destinationResource").get("type").asText()).isEqualTo("subnet");
        assertThat(rule.get("destinations")).isEmpty();
        toResource.put("destinationResource", Map.of("id", "no-such-resource", "type", "subnet"));
        assertError(http.post("/api/policies", admin(), Map.of("name", unique("ssh-lab"), "enabled", true,
                "rules", List.of(toResource))), 400);
        JsonNode n = http.get("/api/networks/" + net, admin()).json();
        assertThat(n.get("resources").size()).isEqualTo(3);
        assertThat(n.get("routers").get(0).asText()).isEqualTo(routerId);
        assertThat(n.get("routing_peers_count").asInt()).isEqualTo(1);
        assertThat(n.get("policies").toString()).contains(policy).contains(resourcePolicy.json().get("id").asText());
        assertThat(http.delete("/api/policies/" + resourcePolicy.json().get("id").asText(), admin()).status())
                .isEqualTo(200);
        assertThat(http.get("/api/networks/routers", admin()).json().toString()).contains(routerId);

        // a routing peer cannot be deleted while it routes; deleting the network takes resources and routers along
        assertError(http.delete("/api/peers/" + peer, admin()), 412);
        assertThat(http.delete("/api/networks/" + net, admin()).status()).isEqualTo(200);
        assertError(http.get("/api/networks/" + net, admin()), 404);
        assertError(http.get("/api/networks/" + net + "/routers/" + routerId, admin()), 404);
        assertThat(http.delete("/api/peers/" + peer, admin()).status()).isEqualTo(200);
        JsonNode audit = http.get("/api/events/audit?activity_code=network.router.delete&target_id=" + routerId,
                admin()).json();
        assertThat(audit.size()).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedAndAppendsNothing() {
        String dev = createGroup(unique("dev"));
        String net = network();
        long before = auditTotal(admin());
        String resources = "/api/networks/" + net + "/resources";
        assertError(http.post(resources, admin(), Map.of("name", "x", "address", "10.0.0.0/33", "enabled", true,
                "groups", List.of(dev))), 400);
        assertError(http.post(resources, admin(), Map.of("name", "x", "address", "bad..domain", "enabled", true,
                "groups", List.of(dev))), 400);
        assertError(http.post(resources, admin(), Map.of("name", "x", "address", "fd00::1", "enabled", true,
                "groups", List.of(dev))), 400);
        assertError(http.post(resources, admin(), Map.of("name", "x", "address", "10.1.1.1", "enabled", true,
                "groups", List.of("no-such-group"))), 400);
        assertError(http.post(resources, admin(), Map.of("name", "x", "address", "10.1.1.1", "enabled", true)), 400);
        String routers = "/api/networks/" + net + "/routers";
        assertError(http.post(routers, admin(), Map.of("metric", 1, "masquerade", true, "enabled", true)), 400);
        assertError(http.post(routers, admin(), Map.of("peer", "no-such-peer", "metric", 1, "masquerade", true,
                "enabled", true)), 400);
        assertError(http.post(routers, admin(), Map.of("peer_groups", List.of(dev), "metric", 0, "masquerade", true,
                "enabled", true)), 400);
        assertError(http.post("/api/networks", admin(), Map.of("description", "no name")), 400);
        assertError(http.post("/api/networks/no-such-network/routers", admin(), Map.of("peer_groups", List.of(dev),
                "metric", 1, "masquerade", true, "enabled", true)), 404);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }
}

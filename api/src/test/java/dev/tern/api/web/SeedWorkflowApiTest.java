package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.events.commands.PeerRegistration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 2, item 9: the seed workflow as curl would run it (see docs/api.md), then peers joining with the key. */
@TernIntegrationTest
class SeedWorkflowApiTest extends ApiTestSupport {

    @Test
    void seedWorkflow() {
        String token = admin();
        TestHttp.Response devGroup = http.post("/api/groups", token, "{\"name\":\"" + unique("servers") + "\"}");
        assertThat(devGroup.status()).isEqualTo(200);
        String servers = devGroup.json().get("id").asText();
        TestHttp.Response laptops = http.post("/api/groups", token, "{\"name\":\"" + unique("laptops") + "\"}");
        String laptopsId = laptops.json().get("id").asText();

        TestHttp.Response key = http.post("/api/setup-keys", token, """
                {"name":"seed","type":"reusable","expires_in":86400,"auto_groups":["%s"],"usage_limit":5}"""
                .formatted(servers));
        assertThat(key.status()).as(key.toString()).isEqualTo(200);

        TestHttp.Response policy = http.post("/api/policies", token, """
                {"name":"%s","enabled":true,"rules":[{"name":"laptops to servers","enabled":true,"action":"accept",
                 "bidirectional":true,"protocol":"all","sources":["%s"],"destinations":["%s"]}]}"""
                .formatted(unique("seed"), laptopsId, servers));
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);

        PeerRegistration one = register(key.json().get("key").asText(), unique("srv"));
        PeerRegistration two = register(key.json().get("key").asText(), unique("srv"));

        TestHttp.Response peers = http.get("/api/peers", token);
        assertThat(peers.status()).isEqualTo(200);
        // jq '.[] | {name, ip, connected}'
        int found = 0;
        for (JsonNode p : peers.json()) {
            assertThat(p.get("name").isTextual()).isTrue();
            assertThat(p.get("ip").isTextual()).isTrue();
            assertThat(p.get("connected").isBoolean()).isTrue();
            if (List.of(one.peerId(), two.peerId()).contains(p.get("id").asText())) {
                found++;
                assertThat(texts(p.get("groups"), "id")).contains(servers);
            }
        }
        assertThat(found).isEqualTo(2);
        assertThat(http.get("/api/groups/" + servers, token).json().get("peers_count").asInt()).isEqualTo(2);
        assertThat(http.get("/api/setup-keys/" + key.json().get("id").asText(), token).json().get("used_times").asInt())
                .isEqualTo(2);
    }
}

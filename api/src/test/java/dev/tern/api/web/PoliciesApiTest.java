package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class PoliciesApiTest extends ApiTestSupport {

    @Test
    void createGetUpdateDelete() {
        String devName = unique("dev");
        String dev = createGroup(devName);
        String prod = createGroup(unique("prod"));
        TestHttp.Response created = http.post("/api/policies", admin(), Map.of("name", unique("ssh"),
                "description", "dev may ssh into prod", "enabled", true,
                "rules", List.of(rule("ssh", List.of(dev), List.of(prod), false, "tcp", List.of("22", "8000-8100")))));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        JsonNode p = created.json();
        String id = p.get("id").asText();
        assertThat(p.get("enabled").asBoolean()).isTrue();
        assertThat(p.get("description").asText()).isEqualTo("dev may ssh into prod");
        assertThat(p.get("source_posture_checks").isArray()).isTrue();
        JsonNode r = p.get("rules").get(0);
        assertThat(r.get("id").asText()).isNotBlank();
        assertThat(r.get("protocol").asText()).isEqualTo("tcp");
        assertThat(r.get("action").asText()).isEqualTo("accept");
        assertThat(r.get("bidirectional").asBoolean()).isFalse();
        assertThat(r.get("ports").size()).isEqualTo(2);
        assertThat(r.get("ports").get(0).asText()).isEqualTo("22");
        assertThat(r.get("ports").get(1).asText()).isEqualTo("8000-8100");
        assertThat(r.get("sources").get(0).get("id").asText()).isEqualTo(dev);
        assertThat(r.get("sources").get(0).get("name").asText()).isEqualTo(devName);
        assertThat(r.get("sources").get(0).has("peers_count")).isTrue();
        assertThat(r.get("destinations").get(0).get("id").asText()).isEqualTo(prod);

        assertThat(http.get("/api/policies/" + id, admin()).json().get("rules").get(0).get("id").asText())
                .isEqualTo(r.get("id").asText());
        assertThat(texts(http.get("/api/policies", admin()).json(), "id")).contains(id);

        String ruleId = r.get("id").asText();
        TestHttp.Response updated = http.put("/api/policies/" + id, admin(), Map.of("name", "renamed-" + id,
                "enabled", false, "rules", List.of(Map.of("id", ruleId, "name", "udp", "enabled", true,
                        "action", "drop", "bidirectional", true, "protocol", "udp",
                        "port_ranges", List.of(Map.of("start", 53, "end", 53), Map.of("start", 60000, "end", 61000)),
                        "sources", List.of(prod), "destinations", List.of(dev)))));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        JsonNode got = http.get("/api/policies/" + id, admin()).json();
        assertThat(got.get("name").asText()).isEqualTo("renamed-" + id);
        assertThat(got.get("enabled").asBoolean()).isFalse();
        JsonNode ur = got.get("rules").get(0);
        assertThat(ur.get("action").asText()).isEqualTo("drop");
        assertThat(ur.get("port_ranges").get(1).get("start").asInt()).isEqualTo(60000);
        assertThat(ur.get("port_ranges").get(1).get("end").asInt()).isEqualTo(61000);
        assertThat(ur.get("sources").get(0).get("id").asText()).isEqualTo(prod);

        assertThat(http.delete("/api/policies/" + id, admin()).status()).isEqualTo(200);
        assertError(http.get("/api/policies/" + id, admin()), 404);
    }

    @Test
    void invalidPoliciesAre400AndLeaveNoEvent() {
        String g = createGroup(unique("g"));
        long before = auditTotal(admin());
        assertError(post(rule("r", List.of(g), List.of(g), true, "sctp", List.of())), 400);
        assertError(post(rule("r", List.of(g), List.of(g), true, "tcp", List.of("0"))), 400);
        assertError(post(rule("r", List.of(g), List.of(g), true, "tcp", List.of("90-80"))), 400);
        assertError(post(rule("r", List.of(g), List.of(g), true, "icmp", List.of("22"))), 400);
        assertError(post(rule("r", List.of("no-such-group"), List.of(g), true, "all", List.of())), 400);
        assertError(post(rule("r", List.of(), List.of(g), true, "all", List.of())), 400);
        assertError(http.post("/api/policies", admin(), Map.of("name", "p", "enabled", true, "rules", List.of())), 400);
        assertError(http.post("/api/policies", admin(), Map.of("name", "p", "enabled", "yes",
                "rules", List.of(rule("r", List.of(g), List.of(g), true, "all", List.of())))), 400);
        assertError(http.post("/api/policies", admin(), Map.of("enabled", true,
                "rules", List.of(rule("r", List.of(g), List.of(g), true, "all", List.of())))), 400);
        assertError(http.put("/api/policies/nope", admin(), Map.of("name", "p", "enabled", true,
                "rules", List.of(rule("r", List.of(g), List.of(g), true, "all", List.of())))), 404);
        assertError(http.delete("/api/policies/nope", admin()), 404);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    TestHttp.Response post(Map<String, Object> rule) {
        return http.post("/api/policies", admin(), Map.of("name", unique("p"), "enabled", true, "rules", List.of(rule)));
    }
}

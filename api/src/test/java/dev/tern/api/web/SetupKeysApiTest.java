package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class SetupKeysApiTest extends ApiTestSupport {

    @Test
    void keyIsShownOnceThenMasked() {
        String group = createGroup(unique("auto"));
        CreatedKey created = createSetupKey("reusable", 5, List.of(group));
        JsonNode k = created.json();
        assertThat(created.key()).matches("[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}");
        assertThat(k.get("type").asText()).isEqualTo("reusable");
        assertThat(k.get("state").asText()).isEqualTo("valid");
        assertThat(k.get("valid").asBoolean()).isTrue();
        assertThat(k.get("revoked").asBoolean()).isFalse();
        assertThat(k.get("used_times").asInt()).isZero();
        assertThat(k.get("usage_limit").asInt()).isEqualTo(5);
        assertThat(k.get("auto_groups").get(0).asText()).isEqualTo(group);
        Instant expires = Instant.parse(k.get("expires").asText());
        assertThat(expires).isBetween(Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
        for (String field : List.of("id", "key", "name", "expires", "type", "valid", "revoked", "used_times",
                "last_used", "state", "auto_groups", "updated_at", "usage_limit", "ephemeral",
                "allow_extra_dns_labels")) {
            assertThat(k.has(field)).as(field).isTrue();
        }

        TestHttp.Response got = http.get("/api/setup-keys/" + created.id(), admin());
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("key").asText()).isEqualTo(created.key().substring(0, 5) + "****");
        assertThat(got.body()).doesNotContain(created.key());
        assertThat(http.get("/api/setup-keys", admin()).body()).doesNotContain(created.key());
    }

    @Test
    void putRevokesAndChangesAutoGroups() {
        String g1 = createGroup(unique("g1"));
        String g2 = createGroup(unique("g2"));
        CreatedKey key = createSetupKey("one-off", 0, List.of(g1));
        TestHttp.Response changed = http.put("/api/setup-keys/" + key.id(), admin(),
                Map.of("revoked", false, "auto_groups", List.of(g2)));
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        assertThat(changed.json().get("auto_groups").get(0).asText()).isEqualTo(g2);
        TestHttp.Response revoked = http.put("/api/setup-keys/" + key.id(), admin(),
                Map.of("revoked", true, "auto_groups", List.of(g2)));
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(revoked.json().get("revoked").asBoolean()).isTrue();
        assertThat(revoked.json().get("state").asText()).isEqualTo("revoked");
        assertThat(revoked.json().get("valid").asBoolean()).isFalse();
        assertThat(http.get("/api/setup-keys/" + key.id(), admin()).json().get("state").asText()).isEqualTo("revoked");
        long before = auditTotal(admin());
        assertError(http.put("/api/setup-keys/" + key.id(), admin(), Map.of("revoked", false, "auto_groups", List.of(g2))),
                400);
        assertThat(auditTotal(admin())).isEqualTo(before);

        assertThat(http.delete("/api/setup-keys/" + key.id(), admin()).status()).isEqualTo(200);
        assertError(http.get("/api/setup-keys/" + key.id(), admin()), 404);
    }

    @Test
    void invalidKeysAre400AndLeaveNoEvent() {
        long before = auditTotal(admin());
        Map<String, Object> ok = Map.of("name", "k", "type", "reusable", "expires_in", 86400, "auto_groups", List.of(),
                "usage_limit", 0);
        assertError(http.post("/api/setup-keys", admin(), with(ok, "type", "forever")), 400);
        assertError(http.post("/api/setup-keys", admin(), with(ok, "name", "")), 400);
        assertError(http.post("/api/setup-keys", admin(), with(ok, "expires_in", 10)), 400);
        assertError(http.post("/api/setup-keys", admin(), with(ok, "expires_in", "86400")), 400);
        assertError(http.post("/api/setup-keys", admin(), with(ok, "usage_limit", -1)), 400);
        assertError(http.post("/api/setup-keys", admin(), with(ok, "auto_groups", List.of("no-such-group"))), 400);
        assertError(http.post("/api/setup-keys", admin(), Map.of("name", "k", "type", "reusable")), 400);
        CreatedKey key = createSetupKey("reusable", 0, List.of());
        before = auditTotal(admin());
        assertError(http.put("/api/setup-keys/" + key.id(), admin(), Map.of("revoked", "yes", "auto_groups", List.of())),
                400);
        assertError(http.put("/api/setup-keys/" + key.id(), admin(), Map.of("revoked", false)), 400);
        assertError(http.put("/api/setup-keys/nope", admin(), Map.of("revoked", true, "auto_groups", List.of())), 404);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        var copy = new java.util.HashMap<>(base);
        copy.put(key, value);
        return copy;
    }
}

package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class GroupsApiTest extends ApiTestSupport {

    @Test
    void createGetUpdateDeleteWithReadYourWrites() {
        String name = unique("dev");
        TestHttp.Response created = http.post("/api/groups", admin(), Map.of("name", name));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        JsonNode g = created.json();
        String id = g.get("id").asText();
        assertThat(g.get("name").asText()).isEqualTo(name);
        assertThat(g.get("peers_count").asInt()).isZero();
        assertThat(g.get("resources_count").asInt()).isZero();
        assertThat(g.get("peers").isArray()).isTrue();
        assertThat(g.get("resources").isArray()).isTrue();
        assertThat(g.get("issued").asText()).isEqualTo("api");

        TestHttp.Response got = http.get("/api/groups/" + id, admin());
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json().get("name").asText()).isEqualTo(name);
        assertThat(texts(http.get("/api/groups", admin()).json(), "id")).contains(id);
        assertThat(texts(http.get("/api/groups?name=" + name, admin()).json(), "id")).containsExactly(id);

        String renamed = unique("renamed");
        TestHttp.Response updated = http.put("/api/groups/" + id, admin(), Map.of("name", renamed, "peers", List.of()));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("name").asText()).isEqualTo(renamed);
        assertThat(http.get("/api/groups/" + id, admin()).json().get("name").asText()).isEqualTo(renamed);

        TestHttp.Response deleted = http.delete("/api/groups/" + id, admin());
        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().isObject()).isTrue();
        assertThat(deleted.json().size()).isZero();
        assertError(http.get("/api/groups/" + id, admin()), 404);
        assertThat(texts(http.get("/api/groups", admin()).json(), "id")).doesNotContain(id);
    }

    @Test
    void allGroupExistsAndCannotBeDeletedOrEdited() {
        JsonNode all = null;
        for (JsonNode g : http.get("/api/groups", admin()).json()) {
            if (g.get("name").asText().equals("All")) {
                all = g;
            }
        }
        assertThat(all).as("built-in All group").isNotNull();
        String id = all.get("id").asText();
        long before = auditTotal(admin());
        TestHttp.Response delete = http.delete("/api/groups/" + id, admin());
        assertThat(delete.status()).as(delete.toString()).isEqualTo(409);
        assertThat(delete.json().get("code").asInt()).isEqualTo(delete.status());
        assertThat(http.get("/api/groups/" + id, admin()).status()).isEqualTo(200);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void duplicateNamesConflict() {
        String name = unique("dup");
        createGroup(name);
        long before = auditTotal(admin());
        assertError(http.post("/api/groups", admin(), Map.of("name", name)), 409);
        String other = createGroup(unique("other"));
        before = auditTotal(admin());
        assertError(http.put("/api/groups/" + other, admin(), Map.of("name", name)), 409);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void groupsInUseCannotBeDeleted() {
        String byPolicy = createGroup(unique("used-by-policy"));
        createPolicy(unique("p"), List.of(byPolicy), List.of(byPolicy));
        String byKey = createGroup(unique("used-by-key"));
        createSetupKey("reusable", 0, List.of(byKey));
        long before = auditTotal(admin());
        assertError(http.delete("/api/groups/" + byPolicy, admin()), 409);
        assertError(http.delete("/api/groups/" + byKey, admin()), 409);
        assertThat(auditTotal(admin())).isEqualTo(before);
        assertThat(http.get("/api/groups/" + byPolicy, admin()).status()).isEqualTo(200);
    }

    @Test
    void invalidGroupsAre400AndLeaveNoEvent() {
        long before = auditTotal(admin());
        assertError(http.post("/api/groups", admin(), Map.of("name", "")), 400);
        assertError(http.post("/api/groups", admin(), Map.of("name", "   ")), 400);
        assertError(http.post("/api/groups", admin(), Map.of("name", "x".repeat(256))), 400);
        assertError(http.post("/api/groups", admin(), Map.of("peers", List.of())), 400);
        assertError(http.post("/api/groups", admin(), Map.of("name", 5)), 400);
        assertError(http.post("/api/groups", admin(), "{\"name\": \"a\""), 400);
        assertError(http.post("/api/groups", admin(), Map.of("name", unique("g"), "peers", List.of("no-such-peer"))),
                400);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void unknownIdsAre404() {
        assertError(http.get("/api/groups/nope", admin()), 404);
        assertError(http.put("/api/groups/nope", admin(), Map.of("name", unique("x"))), 404);
        assertError(http.delete("/api/groups/nope", admin()), 404);
    }
}

package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class UsersAndTokensApiTest extends ApiTestSupport {

    @Test
    void currentUserIsTheSetupOwner() {
        TestHttp.Response me = http.get("/api/users/current", admin());
        assertThat(me.status()).isEqualTo(200);
        JsonNode u = me.json();
        assertThat(u.get("role").asText()).isEqualTo("owner");
        assertThat(u.get("email").asText()).isEqualTo("owner@tern.test");
        assertThat(u.get("is_current").asBoolean()).isTrue();
        assertThat(u.get("status").asText()).isEqualTo("active");
        for (String field : List.of("id", "email", "name", "role", "auto_groups", "status", "is_blocked",
                "pending_approval", "is_service_user")) {
            assertThat(u.has(field)).as(field).isTrue();
        }
    }

    @Test
    void usersAndServiceUsersCanBeCreatedUpdatedAndDeleted() {
        String group = createGroup(unique("ug"));
        String email = unique("ann") + "@tern.test";
        TestHttp.Response created = http.post("/api/users", admin(), Map.of("email", email, "name", "Ann",
                "role", "user", "auto_groups", List.of(group), "is_service_user", false));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String id = created.json().get("id").asText();
        assertThat(created.json().get("is_current").asBoolean()).isFalse();
        assertThat(created.json().get("auto_groups").get(0).asText()).isEqualTo(group);

        TestHttp.Response service = http.post("/api/users", admin(), Map.of("name", unique("robot"),
                "role", "admin", "auto_groups", List.of(), "is_service_user", true));
        assertThat(service.status()).as(service.toString()).isEqualTo(200);
        String serviceId = service.json().get("id").asText();
        assertThat(service.json().get("is_service_user").asBoolean()).isTrue();
        assertThat(texts(http.get("/api/users?service_user=true", admin()).json(), "id")).contains(serviceId)
                .doesNotContain(id);
        assertThat(texts(http.get("/api/users?service_user=false", admin()).json(), "id")).contains(id)
                .doesNotContain(serviceId);

        TestHttp.Response updated = http.put("/api/users/" + id, admin(), Map.of("role", "auditor",
                "auto_groups", List.of(), "is_blocked", true));
        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().get("role").asText()).isEqualTo("auditor");
        assertThat(updated.json().get("is_blocked").asBoolean()).isTrue();
        assertThat(updated.json().get("status").asText()).isEqualTo("blocked");

        assertThat(http.delete("/api/users/" + id, admin()).status()).isEqualTo(200);
        assertThat(texts(http.get("/api/users", admin()).json(), "id")).doesNotContain(id);
        assertError(http.put("/api/users/" + id, admin(), Map.of("role", "user", "auto_groups", List.of(),
                "is_blocked", false)), 404);
    }

    @Test
    void theAccountProtectsItsOwner() {
        String ownerId = http.get("/api/users/current", admin()).json().get("id").asText();
        String group = createGroup(unique("owner-auto"));
        TestHttp.Response own = http.put("/api/users/" + ownerId, admin(), Map.of("role", "owner",
                "auto_groups", List.of(group), "is_blocked", false));
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(own.json().get("auto_groups").get(0).asText()).isEqualTo(group);
        assertThat(http.put("/api/users/" + ownerId, admin(), Map.of("role", "owner", "auto_groups", List.of(),
                "is_blocked", false)).status()).isEqualTo(200);

        RoleUser otherAdmin = serviceUser("admin");
        long before = auditTotal(admin());
        assertError(http.put("/api/users/" + ownerId, otherAdmin.token(), Map.of("role", "admin",
                "auto_groups", List.of(), "is_blocked", false)), 403);
        assertError(http.put("/api/users/" + ownerId, admin(), Map.of("role", "owner", "auto_groups", List.of(),
                "is_blocked", true)), 400);
        assertError(http.put("/api/users/" + otherAdmin.userId(), admin(), Map.of("role", "owner",
                "auto_groups", List.of(), "is_blocked", false)), 400);
        assertError(http.delete("/api/users/" + ownerId, otherAdmin.token()), 403);
        assertThat(auditTotal(admin())).isEqualTo(before);
        assertThat(http.get("/api/users/current", admin()).json().get("role").asText()).isEqualTo("owner");
    }

    @Test
    void duplicateEmailsConflict() {
        String email = unique("twin") + "@tern.test";
        Map<String, Object> body = Map.of("email", email, "name", "Twin", "role", "user", "auto_groups", List.of(),
                "is_service_user", false);
        assertThat(http.post("/api/users", admin(), body).status()).isEqualTo(200);
        long before = auditTotal(admin());
        assertError(http.post("/api/users", admin(), body), 409);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void invalidUsersAre400() {
        long before = auditTotal(admin());
        assertError(http.post("/api/users", admin(), Map.of("name", "x", "role", "superuser", "auto_groups", List.of(),
                "is_service_user", true)), 400);
        assertError(http.post("/api/users", admin(), Map.of("name", "x", "role", "owner", "auto_groups", List.of(),
                "is_service_user", true)), 400);
        assertError(http.post("/api/users", admin(), Map.of("email", "not-an-email", "role", "user",
                "auto_groups", List.of(), "is_service_user", false)), 400);
        assertError(http.post("/api/users", admin(), Map.of("name", "x", "role", "user", "is_service_user", true)), 400);
        assertError(http.post("/api/users", admin(), Map.of("name", "x", "role", "user", "auto_groups", List.of(),
                "is_service_user", "true")), 400);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void tokensLifecycleWithPlainTokenOnlyOnCreate() {
        RoleUser robot = serviceUser("admin");
        TestHttp.Response created = http.post("/api/users/" + robot.userId() + "/tokens", admin(),
                Map.of("name", "ci", "expires_in", 30));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String plain = created.json().get("plain_token").asText();
        assertThat(plain).startsWith("nbp_").hasSize(40);
        JsonNode pat = created.json().get("personal_access_token");
        String tokenId = pat.get("id").asText();
        assertThat(pat.get("name").asText()).isEqualTo("ci");
        assertThat(Instant.parse(pat.get("expiration_date").asText()))
                .isBetween(Instant.now().plus(Duration.ofDays(29)), Instant.now().plus(Duration.ofDays(31)));
        assertThat(pat.get("created_by").asText()).isEqualTo(http.get("/api/users/current", admin()).json()
                .get("id").asText());
        assertThat(pat.has("created_at")).isTrue();

        // The new token works at once and belongs to the service user.
        assertThat(http.get("/api/users/current", plain).json().get("id").asText()).isEqualTo(robot.userId());

        TestHttp.Response list = http.get("/api/users/" + robot.userId() + "/tokens", admin());
        assertThat(texts(list.json(), "id")).contains(tokenId);
        assertThat(list.body()).doesNotContain(plain);
        TestHttp.Response one = http.get("/api/users/" + robot.userId() + "/tokens/" + tokenId, admin());
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.body()).doesNotContain(plain);

        assertThat(http.delete("/api/users/" + robot.userId() + "/tokens/" + tokenId, admin()).status()).isEqualTo(200);
        assertError(http.get("/api/users/current", plain), 401);
        assertError(http.get("/api/users/" + robot.userId() + "/tokens/" + tokenId, admin()), 404);
    }

    @Test
    void lastUsedIsTheZeroTimeUntilTheTokenAuthenticatesARequest() {
        RoleUser robot = serviceUser("auditor");
        String path = "/api/users/" + robot.userId() + "/tokens";
        JsonNode unused = http.get(path, admin()).json();
        assertThat(unused.size()).isEqualTo(1);
        String tokenId = unused.get(0).get("id").asText();
        assertThat(unused.get(0).get("last_used").asText()).isEqualTo("0001-01-01T00:00:00Z");

        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        assertThat(http.get("/api/users/current", robot.token()).status()).isEqualTo(200);
        Instant after = Instant.now();
        // The use is written off the request's path, so it shows up shortly after, not necessarily at once.
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode token = http.get(path + "/" + tokenId, admin()).json();
            assertThat(token.get("last_used").asText()).isNotEqualTo("0001-01-01T00:00:00Z");
            assertThat(Instant.parse(token.get("last_used").asText())).isBetween(before, after);
        });
        assertThat(texts(http.get(path, admin()).json(), "last_used")).singleElement()
                .isNotEqualTo("0001-01-01T00:00:00Z");
    }

    @Test
    void deletingAUserRevokesItsTokens() {
        RoleUser robot = serviceUser("admin");
        assertThat(http.get("/api/users/current", robot.token()).status()).isEqualTo(200);
        assertThat(http.delete("/api/users/" + robot.userId(), admin()).status()).isEqualTo(200);
        assertError(http.get("/api/users/current", robot.token()), 401);
        assertError(http.get("/api/users/" + robot.userId() + "/tokens", admin()), 404);
    }

    @Test
    void invalidTokenRequestsAre4xx() {
        RoleUser robot = serviceUser("admin");
        String path = "/api/users/" + robot.userId() + "/tokens";
        long before = auditTotal(admin());
        assertError(http.post(path, admin(), Map.of("name", "t", "expires_in", 0)), 400);
        assertError(http.post(path, admin(), Map.of("name", "t", "expires_in", 366)), 400);
        assertError(http.post(path, admin(), Map.of("name", "", "expires_in", 1)), 400);
        assertError(http.post(path, admin(), Map.of("expires_in", 1)), 400);
        assertError(http.post("/api/users/nope/tokens", admin(), Map.of("name", "t", "expires_in", 1)), 404);
        assertError(http.get(path + "/nope", admin()), 404);
        assertError(http.delete(path + "/nope", admin()), 404);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }
}

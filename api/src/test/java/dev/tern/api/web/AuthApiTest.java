package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.api.auth.PersonalAccessTokens;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.events.commands.CreatePersonalAccessToken;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class AuthApiTest extends ApiTestSupport {
    static final List<String> READS = List.of("/api/groups", "/api/setup-keys", "/api/policies", "/api/users",
            "/api/peers", "/api/events/audit", "/api/users/current");

    @Test
    void everyBadTokenIs401InNetBirdsShape() {
        String good = admin();
        for (String path : READS) {
            assertError(http.get(path, null), 401);
        }
        assertError(send("Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), 401);
        assertError(send("Bearer " + PersonalAccessTokens.mint().plainToken()), 401);
        assertError(send("Token"), 401);
        assertError(send("Token nbp_tooshort"), 401);
        assertError(send("Token xyz_" + good.substring(4)), 401);
        String badChecksum = good.substring(0, 39) + (good.charAt(39) == 'A' ? 'B' : 'A');
        assertError(send("Token " + badChecksum), 401);
        assertError(send("Token " + PersonalAccessTokens.mint().plainToken()), 401);
        assertThat(send("Token " + good).status()).isEqualTo(200);
        assertThat(send("token " + good).status()).isEqualTo(200);
    }

    @Test
    void bearerPersonalAccessTokensAreTakenLikeNetBirdsAndTheSeedsCurlExample() {
        RoleUser robot = serviceUser("admin");
        TestHttp.Response bearer = send("Bearer " + robot.token());
        assertThat(bearer.status()).as(bearer.body()).isEqualTo(200);
        assertThat(send("bearer " + robot.token()).status()).isEqualTo(200);
        TestHttp.Response me = getAs("/api/users/current", "Bearer " + robot.token());
        assertThat(me.json().get("id").asText()).isEqualTo(robot.userId());
        // The same token with the same rights: blocking its user shuts the bearer spelling too.
        assertThat(http.put("/api/users/" + robot.userId(), admin(), Map.of("role", "admin", "auto_groups", List.of(),
                "is_blocked", true)).status()).isEqualTo(200);
        assertError(send("Bearer " + robot.token()), 401);
    }

    TestHttp.Response send(String authorization) {
        return getAs("/api/groups", authorization);
    }

    TestHttp.Response getAs(String path, String authorization) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(http.uri(path))
                    .header("Authorization", authorization).GET().build();
            var response = java.net.http.HttpClient.newHttpClient().send(request,
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new TestHttp.Response(response.statusCode(), response.body(),
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()),
                    response.headers().map());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void expiredTokensAre401() {
        String ownerId = http.get("/api/users/current", admin()).json().get("id").asText();
        String accountId = findAccountId();
        PersonalAccessTokens.Minted minted = PersonalAccessTokens.mint();
        gateway.sendAndWait(GenericCommandMessage.asCommandMessage(new CreatePersonalAccessToken(accountId,
                Ids.newId(), ownerId, "short-lived", minted.hash(), Instant.now().plusSeconds(2), ownerId))
                .andMetaData(MetaData.from(Actor.SYSTEM.toMetadata())));
        readYourWrites.awaitCaughtUp(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertError(http.get("/api/groups", minted.plainToken()), 401));
        assertThat(http.get("/api/groups", minted.plainToken()).errorMessage()).contains("expired");
    }

    private String findAccountId() {
        // The owner's account is the one whose setup key hash resolves; simplest: make a key and ask the read model.
        CreatedKey key = createSetupKey("one-off", 0, List.of());
        return registrationReads.findAccountBySetupKeyHash(dev.tern.events.values.Secrets.sha256Hex(key.key()))
                .orElseThrow();
    }

    @org.springframework.beans.factory.annotation.Autowired
    dev.tern.query.setupkeys.RegistrationReads registrationReads;

    @Test
    void blockedUsersAre401() {
        RoleUser robot = serviceUser("admin");
        assertThat(http.get("/api/groups", robot.token()).status()).isEqualTo(200);
        assertThat(http.put("/api/users/" + robot.userId(), admin(), Map.of("role", "admin", "auto_groups", List.of(),
                "is_blocked", true)).status()).isEqualTo(200);
        assertError(http.get("/api/groups", robot.token()), 401);
        assertThat(http.put("/api/users/" + robot.userId(), admin(), Map.of("role", "admin", "auto_groups", List.of(),
                "is_blocked", false)).status()).isEqualTo(200);
        assertThat(http.get("/api/groups", robot.token()).status()).isEqualTo(200);
    }

    @Test
    void adminReadsAndWrites() {
        RoleUser adminUser = serviceUser("admin");
        for (String path : READS) {
            assertThat(http.get(path, adminUser.token()).status()).as(path).isEqualTo(200);
        }
        assertThat(http.post("/api/groups", adminUser.token(), Map.of("name", unique("by-admin"))).status())
                .isEqualTo(200);
    }

    @Test
    void auditorReadsEverythingAndWritesNothing() {
        RoleUser auditor = serviceUser("auditor");
        for (String path : READS) {
            assertThat(http.get(path, auditor.token()).status()).as(path).isEqualTo(200);
        }
        String group = createGroup(unique("target"));
        long before = auditTotal(admin());
        assertError(http.post("/api/groups", auditor.token(), Map.of("name", unique("nope"))), 403);
        assertError(http.put("/api/groups/" + group, auditor.token(), Map.of("name", unique("nope"))), 403);
        assertError(http.delete("/api/groups/" + group, auditor.token()), 403);
        assertError(http.post("/api/setup-keys", auditor.token(), Map.of("name", "k", "type", "reusable",
                "expires_in", 86400, "auto_groups", List.of(), "usage_limit", 0)), 403);
        assertError(http.post("/api/users", auditor.token(), Map.of("name", "x", "role", "admin",
                "auto_groups", List.of(), "is_service_user", true)), 403);
        assertError(http.post("/api/users/" + auditor.userId() + "/tokens", auditor.token(),
                Map.of("name", "t", "expires_in", 1)), 403);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void plainUserReadsOnlyWhatIsItsOwn() {
        RoleUser user = serviceUser("user");
        RoleUser other = serviceUser("admin");
        for (String path : List.of("/api/groups", "/api/setup-keys", "/api/policies", "/api/events/audit")) {
            assertError(http.get(path, user.token()), 403);
        }
        TestHttp.Response me = http.get("/api/users/current", user.token());
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("id").asText()).isEqualTo(user.userId());
        assertThat(texts(http.get("/api/users", user.token()).json(), "id")).containsExactly(user.userId());
        assertThat(http.get("/api/users/" + user.userId() + "/tokens", user.token()).status()).isEqualTo(200);
        assertError(http.get("/api/users/" + other.userId() + "/tokens", user.token()), 403);

        // Peers enrolled with a setup key belong to no user: a plain user sees none of them.
        CreatedKey key = createSetupKey("reusable", 0, List.of());
        String peerId = register(key.key(), unique("host")).peerId();
        assertThat(texts(http.get("/api/peers", admin()).json(), "id")).contains(peerId);
        assertThat(texts(http.get("/api/peers", user.token()).json(), "id")).doesNotContain(peerId);
        assertError(http.get("/api/peers/" + peerId, user.token()), 403);
        assertError(http.get("/api/peers/" + peerId + "/accessible-peers", user.token()), 403);

        long before = auditTotal(admin());
        assertError(http.post("/api/groups", user.token(), Map.of("name", unique("nope"))), 403);
        assertError(http.delete("/api/peers/" + peerId, user.token()), 403);
        assertError(http.put("/api/users/" + user.userId(), user.token(), Map.of("role", "admin",
                "auto_groups", List.of(), "is_blocked", false)), 403);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }
}

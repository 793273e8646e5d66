package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class ForeignAccountApiTest extends ApiTestSupport {

    @Test
    void accountsNeverSeeEachOther() {
        OtherAccount other = otherAccount();
        String mine = createGroup(unique("mine"));
        String theirs = createGroup(other.token(), unique("theirs"), List.of());
        CreatedKey myKey = createSetupKey("reusable", 0, List.of());
        String myPeer = register(myKey.key(), unique("mine")).peerId();
        String myUser = http.get("/api/users/current", admin()).json().get("id").asText();
        String myPolicy = createPolicy(unique("mine"), List.of(mine), List.of(mine));

        // Their view of my resources: 404, exactly as for ids that do not exist.
        assertError(http.get("/api/groups/" + mine, other.token()), 404);
        assertError(http.put("/api/groups/" + mine, other.token(), Map.of("name", unique("hijack"))), 404);
        assertError(http.delete("/api/groups/" + mine, other.token()), 404);
        assertError(http.get("/api/setup-keys/" + myKey.id(), other.token()), 404);
        assertError(http.get("/api/peers/" + myPeer, other.token()), 404);
        assertError(http.delete("/api/peers/" + myPeer, other.token()), 404);
        assertError(http.get("/api/policies/" + myPolicy, other.token()), 404);
        assertError(http.get("/api/users/" + myUser + "/tokens", other.token()), 404);
        assertError(http.put("/api/users/" + myUser, other.token(), Map.of("role", "user", "auto_groups", List.of(),
                "is_blocked", true)), 404);
        assertThat(texts(http.get("/api/groups", other.token()).json(), "id")).doesNotContain(mine).contains(theirs);
        assertThat(texts(http.get("/api/peers", other.token()).json(), "id")).doesNotContain(myPeer);
        assertThat(texts(http.get("/api/users", other.token()).json(), "id")).doesNotContain(myUser);
        assertThat(http.get("/api/events/audit?target_id=" + mine, other.token()).json().size()).isZero();

        // My view of theirs.
        assertError(http.get("/api/groups/" + theirs, admin()), 404);
        assertError(http.delete("/api/groups/" + theirs, admin()), 404);
        assertError(http.get("/api/users/" + other.ownerId() + "/tokens", admin()), 404);
        assertThat(texts(http.get("/api/groups", admin()).json(), "id")).doesNotContain(theirs);

        // Referencing another account's group in my own policy is a bad request, not a leak.
        assertError(http.post("/api/policies", admin(), Map.of("name", unique("x"), "enabled", true,
                "rules", List.of(rule("r", List.of(theirs), List.of(mine), true, "all", List.of())))), 400);
        assertThat(http.get("/api/groups/" + mine, admin()).status()).isEqualTo(200);
    }
}

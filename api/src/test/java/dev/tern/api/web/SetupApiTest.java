package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

@TernIntegrationTest
class SetupApiTest extends ApiTestSupport {

    @Test
    void setupWorksOnceThenAnswers412() {
        String token = admin();
        assertThat(http.get("/api/users/current", token).json().get("role").asText()).isEqualTo("owner");
        TestHttp.Response instance = http.get("/api/instance", null);
        assertThat(instance.status()).isEqualTo(200);
        assertThat(instance.json().get("setup_required").asBoolean()).isFalse();

        long before = auditTotal(token);
        List<CompletableFuture<TestHttp.Response>> again = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            again.add(CompletableFuture.supplyAsync(() ->
                    http.post("/api/setup", null, TestHttp.setupRequest(unique("late") + "@tern.test"))));
        }
        for (CompletableFuture<TestHttp.Response> f : again) {
            TestHttp.Response r = f.join();
            assertError(r, 412);
            assertThat(r.errorMessage()).contains("setup already completed");
        }
        assertThat(auditTotal(token)).isEqualTo(before);
        assertThat(texts(http.get("/api/users", token).json(), "role").stream().filter("owner"::equals).count())
                .isEqualTo(1);
    }

    @Test
    void malformedSetupRequestsAre400() {
        admin();
        assertError(http.post("/api/setup", null, "{\"email\": "), 400);
        assertError(http.post("/api/setup", null, Map.of("name", "x")), 400);
        assertError(http.post("/api/setup", null, Map.of("email", "nope", "name", "x")), 400);
        assertError(http.post("/api/setup", null, Map.of("email", "a@b.c", "password", "short")), 400);
        assertError(http.post("/api/setup", null, Map.of("email", "a@b.c", "create_pat", true, "pat_expire_in", 0)),
                400);
    }
}

package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Error classes that do not belong to one resource: routes, methods, media types, sizes, malformed bodies. */
@TernIntegrationTest
class ErrorsApiTest extends ApiTestSupport {

    @Test
    void unknownRoutesAre404() {
        assertError(http.get("/api/nothing-here", admin()), 404);
        assertError(http.get("/api/groups/a/b/c", admin()), 404);
    }

    @Test
    void wrongMethodsAre405() {
        TestHttp.Response r = http.send("PATCH", "/api/groups", admin(), Map.of("name", "x"));
        assertError(r, 405);
        assertError(http.delete("/api/groups", admin()), 405);
        assertError(http.post("/api/users/current", admin(), Map.of()), 405);
    }

    @Test
    void nonJsonBodiesAre415() throws Exception {
        long before = auditTotal(admin());
        HttpResponse<String> r = raw(HttpRequest.newBuilder(http.uri("/api/groups"))
                .header("Authorization", "Token " + admin())
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"x\"}")).build());
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(r.body()).contains("\"code\":415");
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void oversizedBodiesAre413EvenWhenChunked() throws Exception {
        long before = auditTotal(admin());
        byte[] big = ("{\"name\":\"" + "x".repeat(1024 * 1024 + 100) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> declared = raw(HttpRequest.newBuilder(http.uri("/api/groups"))
                .header("Authorization", "Token " + admin())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(big)).build());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).contains("\"code\":413");
        // ofInputStream has no known length, so the client sends Transfer-Encoding: chunked.
        HttpResponse<String> chunked = raw(HttpRequest.newBuilder(http.uri("/api/groups"))
                .header("Authorization", "Token " + admin())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> (InputStream) new ByteArrayInputStream(big)))
                .build());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void malformedAndMistypedBodiesAre400() {
        long before = auditTotal(admin());
        assertError(http.post("/api/groups", admin(), "{\"name\": }"), 400);
        assertError(http.post("/api/groups", admin(), "[]"), 400);
        assertError(http.post("/api/groups", admin(), "\"just a string\""), 400);
        assertError(http.post("/api/groups", admin(), "{\"name\": \"a\"} {\"name\": \"b\"}"), 400);
        assertError(http.post("/api/groups", admin(), "{\"name\": [\"a\"]}"), 400);
        assertError(http.post("/api/groups", admin(), "{\"name\": \"a\", \"peers\": \"p1\"}"), 400);
        assertError(http.send("POST", "/api/groups", admin(), null), 400);
        assertError(http.post("/api/setup-keys", admin(), "{\"name\":\"k\",\"type\":\"reusable\",\"expires_in\":1e99,"
                + "\"auto_groups\":[],\"usage_limit\":0}"), 400);
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    @Test
    void nulCharactersNeverReachTheDatabase() {
        long before = auditTotal(admin());
        assertError(http.post("/api/groups", admin(), "{\"name\": \"bad\\u0000name\"}"), 400);
        assertError(http.get("/api/events/audit?target_id=%00", admin()), 400);
        assertThat(http.get("/api/groups/a%00b", admin()).status()).isBetween(400, 404);
        assertThat(auditTotal(admin())).isEqualTo(before);
        assertThat(http.get("/api/groups", admin()).status()).isEqualTo(200);
    }

    @Test
    void bodyWithoutContentTypeIsAcceptedLikeNetBird() throws Exception {
        String name = unique("no-content-type");
        HttpResponse<String> r = raw(HttpRequest.newBuilder(http.uri("/api/groups"))
                .header("Authorization", "Token " + admin())
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void responsesCarryARequestId() {
        TestHttp.Response r = http.get("/api/groups", admin());
        assertThat(r.headers().get("x-request-id")).hasSize(1);
        assertThat(http.get("/api/groups", null).headers().get("x-request-id")).hasSize(1);
    }

    static HttpResponse<String> raw(HttpRequest request) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
    }
}

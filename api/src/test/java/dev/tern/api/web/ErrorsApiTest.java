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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    void every404SaysNotFoundForUnknownIdsOfEveryResourceAndUnknownRoutes() {
        String g = createGroup(unique("g"));
        String me = http.get("/api/users/current", admin()).json().get("id").asText();
        Map<String, Object> policy = Map.of("name", "p", "enabled", true,
                "rules", List.of(rule("r", List.of(g), List.of(g), true, "all", List.of())));
        Map<String, Object> peer = Map.of("name", "x", "ssh_enabled", true, "login_expiration_enabled", true,
                "inactivity_expiration_enabled", false);
        Map<String, Object> user = Map.of("role", "admin", "auto_groups", List.of(), "is_blocked", false);
        Map<String, Object> account = Map.of("settings", AccountsApiTest.settings(true, 86_400, false, 600));
        List<TestHttp.Response> answers = List.of(
                http.get("/api/groups/nope", admin()),
                http.put("/api/groups/nope", admin(), Map.of("name", unique("x"))),
                http.delete("/api/groups/nope", admin()),
                http.get("/api/setup-keys/nope", admin()),
                http.put("/api/setup-keys/nope", admin(), Map.of("revoked", true, "auto_groups", List.of())),
                http.delete("/api/setup-keys/nope", admin()),
                http.get("/api/policies/nope", admin()),
                http.put("/api/policies/nope", admin(), policy),
                http.delete("/api/policies/nope", admin()),
                http.get("/api/peers/nope", admin()),
                http.put("/api/peers/nope", admin(), peer),
                http.delete("/api/peers/nope", admin()),
                http.get("/api/peers/nope/accessible-peers", admin()),
                http.put("/api/users/nope", admin(), user),
                http.delete("/api/users/nope", admin()),
                http.get("/api/users/nope/tokens", admin()),
                http.post("/api/users/nope/tokens", admin(), Map.of("name", "t", "expires_in", 1)),
                http.get("/api/users/" + me + "/tokens/nope", admin()),
                http.delete("/api/users/" + me + "/tokens/nope", admin()),
                http.put("/api/accounts/nope", admin(), account),
                http.get("/api/history/network?at=1970-01-01T00:00:00Z", admin()),
                http.get("/api/nothing-here", admin()),
                http.get("/api/groups/a/b/c", admin()),
                http.get("/api/dns/nameservers/nope", admin()),
                http.get("/api/dns/zones/nope", admin()),
                http.get("/api/dns/zones/nope/records", admin()),
                http.get("/api/routes/nope", admin()),
                http.get("/api/networks/nope", admin()),
                http.get("/api/networks/nope/resources", admin()),
                http.get("/api/posture-checks", admin()),
                http.get("/nothing-here", admin()));
        for (TestHttp.Response r : answers) {
            assertError(r, 404);
        }
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

    /**
     * Many clients upload a body whole before they read the answer (Python's http.client, which requests and
     * NetBird's Python API client use; hand-written socket clients). A server that answers 413 and closes with
     * the body unread makes the kernel reset the connection, and such a client reports a broken pipe, never the
     * 413. Others (curl, Go's net/http, java.net.http) read the early answer and stop sending.
     */
    @Test
    void oversizedBodiesGetA413ThatRealClientsRead() throws Exception {
        long before = auditTotal(admin());
        int size = 16 * 1024 * 1024;
        byte[] big = ("{\"name\":\"" + "x".repeat(size) + "\"}").getBytes(StandardCharsets.UTF_8);
        for (boolean chunked : new boolean[]{false, true}) {
            HttpRequest.BodyPublisher body = chunked
                    ? HttpRequest.BodyPublishers.ofInputStream(() -> (InputStream) new ByteArrayInputStream(big))
                    : HttpRequest.BodyPublishers.ofByteArray(big);
            HttpResponse<String> r = raw(HttpRequest.newBuilder(http.uri("/api/groups"))
                    .header("Authorization", "Token " + admin())
                    .header("Content-Type", "application/json")
                    .POST(body).build());
            assertThat(r.statusCode()).as("java.net.http, chunked " + chunked).isEqualTo(413);
            assertThat(r.body()).contains("\"code\":413").contains("larger than");

            RawHttp.Response whole = RawHttp.sendWholeBodyThenRead(http.port(), "POST", "/api/groups",
                    "Token " + admin(), big, chunked);
            assertThat(whole.status()).as("socket client, chunked " + chunked).isEqualTo(413);
            assertThat(whole.body()).contains("\"code\":413");
        }
        Path dir = Files.createTempDirectory("tern-big-body");
        try {
            Path file = Files.write(dir.resolve("body.json"), big);
            Path python = Files.writeString(dir.resolve("post.py"), PYTHON_HTTP_CLIENT_POST);
            for (String mode : List.of("declared", "chunked")) {
                String out = run(List.of("python3", python.toString(), String.valueOf(http.port()), admin(),
                        file.toString(), mode));
                assertThat(out).as("python3 http.client, " + mode).startsWith("413 ").contains("\"code\":413");
            }
            // curl as it is (Expect: 100-continue for a body this size), and chunked without Expect.
            for (List<String> extra : List.of(List.<String>of(),
                    List.of("-H", "Expect:", "-H", "Transfer-Encoding: chunked"))) {
                List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60",
                        "-w", "\n%{http_code}", "-X", "POST", "-H", "Authorization: Token " + admin(),
                        "-H", "Content-Type: application/json", "--data-binary", "@" + file));
                command.addAll(extra);
                command.add(http.uri("/api/groups").toString());
                assertThat(run(command)).as("curl " + extra).contains("\"code\":413").endsWith("\n413");
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
        assertThat(auditTotal(admin())).isEqualTo(before);
    }

    /** Python's http.client sends the whole body, then reads; prints "status body" or the error it met. */
    private static final String PYTHON_HTTP_CLIENT_POST = """
            import http.client, sys
            port, token, path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
            body = open(path, 'rb').read()
            headers = {'Authorization': 'Token ' + token, 'Content-Type': 'application/json'}
            connection = http.client.HTTPConnection('localhost', port, timeout=60)
            try:
                if mode == 'chunked':
                    parts = (body[i:i + 65536] for i in range(0, len(body), 65536))
                    connection.request('POST', '/api/groups', body=parts, headers=headers, encode_chunked=True)
                else:
                    connection.request('POST', '/api/groups', body=body, headers=headers)
                response = connection.getresponse()
                print(response.status, response.read().decode())
            except Exception as e:
                print('failed:', type(e).__name__, e)
            """;

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as(command.get(0) + ": " + out).isZero();
        return out;
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

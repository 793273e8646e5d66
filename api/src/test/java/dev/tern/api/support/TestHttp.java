package dev.tern.api.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * A small HTTP client for tests against a running tern-server (java.net.http, no Spring test client), so the
 * requests are exactly what curl or a script would send.
 *
 * <pre>{@code
 * @TernIntegrationTest
 * class GroupsApiTest {
 *     @Autowired TestHttp http;
 *     @Test void creates() {
 *         var created = http.post("/api/groups", http.adminToken(), Map.of("name", "dev"));
 *         assertThat(created.status()).isEqualTo(200);
 *         assertThat(created.json().get("name").asText()).isEqualTo("dev");
 *     }
 * }
 * }</pre>
 *
 * A {@code json} argument may be a String (sent verbatim, so malformed JSON can be tested) or any object
 * (serialized with Jackson); a null token sends no Authorization header.
 */
public class TestHttp {

    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    /** The shared in-JVM server's first owner token, created once by {@link #adminToken()}. */
    private static final Map<Integer, String> ADMIN_TOKENS = new ConcurrentHashMap<>();

    private final IntSupplier port;

    /** For {@link TernIntegrationTest}: the port is read when first needed, after the web server has started. */
    @Autowired
    public TestHttp(Environment environment) {
        this(() -> Integer.parseInt(environment.getRequiredProperty("local.server.port")));
    }

    private TestHttp(IntSupplier port) {
        this.port = port;
    }

    /** For a server running elsewhere (e.g. a child process) on this port of localhost. */
    public static TestHttp forPort(int port) {
        return new TestHttp(() -> port);
    }

    /**
     * A status, the raw body, and the body parsed as JSON ({@link MissingNode} when empty or not JSON).
     */
    public record Response(int status, String body, JsonNode json, Map<String, List<String>> headers) {
        public boolean isSuccess() {
            return status >= 200 && status < 300;
        }

        /** The NetBird error shape's message, or null. */
        public String errorMessage() {
            JsonNode message = json.get("message");
            return message == null ? null : message.asText();
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public int port() {
        return port.getAsInt();
    }

    public URI uri(String path) {
        return URI.create("http://localhost:" + port() + path);
    }

    public Response get(String path, String token) {
        return send("GET", path, token, null);
    }

    public Response post(String path, String token, Object json) {
        return send("POST", path, token, json);
    }

    public Response put(String path, String token, Object json) {
        return send("PUT", path, token, json);
    }

    public Response delete(String path, String token) {
        return send("DELETE", path, token, null);
    }

    /** Any method; {@code json} as in the class comment, or null for no body. */
    public Response send(String method, String path, String token, Object json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(60))
                .header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Token " + token);
        }
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofString(toJson(json), StandardCharsets.UTF_8));
        }
        try {
            HttpResponse<String> response = CLIENT.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Response(response.statusCode(), response.body(), parse(response.body()),
                    response.headers().map());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " interrupted", e);
        }
    }

    /**
     * The owner's personal access token for this server, creating the owner with {@code POST /api/setup}
     * ({@code create_pat: true}) the first time it is asked for. Since all {@link TernIntegrationTest} classes
     * share one server, use this rather than calling /api/setup yourself (setup works only once per database).
     */
    /** The peer named {@code name} in /api/peers; Logins do not wait for the REST read model, so it may take a moment. */
    public JsonNode awaitPeerByName(String name, Duration atMost) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(atMost).until(() -> {
            for (JsonNode p : get("/api/peers", adminToken()).json()) {
                if (p.get("name").asText().equals(name)) {
                    found[0] = p;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** How many peers the owner sees in /api/peers. */
    public int peerCount() {
        Response r = get("/api/peers", adminToken());
        if (r.status() != 200) {
            throw new AssertionError("GET /api/peers: " + r);
        }
        return r.json().size();
    }

    public int setupKeyUsedTimes(String id) {
        return get("/api/setup-keys/" + id, adminToken()).json().get("used_times").asInt();
    }

    /** How many audit entries the account has (X-Total-Count). */
    public long auditTotal() {
        Response r = get("/api/events/audit?page_size=1", adminToken());
        if (r.status() != 200) {
            throw new AssertionError("GET /api/events/audit: " + r);
        }
        return Long.parseLong(r.headers().get("x-total-count").get(0));
    }

    public String adminToken() {
        return ADMIN_TOKENS.computeIfAbsent(port(), p -> {
            Response setup = post("/api/setup", null, setupRequest("owner@tern.test"));
            if (!setup.isSuccess()) {
                throw new IllegalStateException("POST /api/setup failed: " + setup);
            }
            return patFrom(setup);
        });
    }

    /** The request body of {@code POST /api/setup} in NetBird's SetupRequest shape, asking for a PAT. */
    public static Map<String, Object> setupRequest(String email) {
        return Map.of("email", email, "password", "correct-horse-battery", "name", "Owner", "create_pat", true);
    }

    /** The plain PAT from a /api/setup response (NetBird's SetupResponse.personal_access_token). */
    public static String patFrom(Response setup) {
        JsonNode pat = setup.json().get("personal_access_token");
        if (pat == null || !pat.isTextual() || pat.asText().isEmpty()) {
            throw new IllegalStateException("no personal_access_token in the setup response: " + setup);
        }
        return pat.asText();
    }

    public static String toJson(Object json) {
        if (json instanceof String s) {
            return s;
        }
        try {
            return MAPPER.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialize " + json, e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return MissingNode.getInstance();
        }
    }
}

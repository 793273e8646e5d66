package dev.tern.bench.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The admin's side of the run: NetBird-shaped REST calls with a PAT. Any non-200 answer aborts the run. */
final class AdminRest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private String token;

    AdminRest(int httpPort) {
        this.base = "http://127.0.0.1:" + httpPort;
    }

    /** POST /api/setup with create_pat; keeps the token for every later call (never printed). */
    void setup() throws IOException, InterruptedException {
        JsonNode answer = call("POST", "/api/setup", Map.of("email", "bench@example.com", "name", "Sync bench",
                "create_pat", true, "pat_expire_in", 1));
        token = answer.path("personal_access_token").asText();
        if (token.isEmpty()) {
            throw new IllegalStateException("setup answered without a personal access token");
        }
    }

    String createGroup(String name) throws IOException, InterruptedException {
        return call("POST", "/api/groups", Map.of("name", name)).path("id").asText();
    }

    void setGroupPeers(String groupId, String name, List<String> peerIds) throws IOException, InterruptedException {
        call("PUT", "/api/groups/" + groupId, Map.of("name", name, "peers", peerIds));
    }

    /** A reusable, never-expiring setup key with no usage limit; returns the plain key. */
    String createSetupKey(String name, List<String> autoGroups) throws IOException, InterruptedException {
        return call("POST", "/api/setup-keys", Map.of("name", name, "type", "reusable", "expires_in", 0,
                "auto_groups", autoGroups, "usage_limit", 0)).path("key").asText();
    }

    /** One enabled, bidirectional accept-all rule between two groups. */
    void createPolicy(String name, String sourceGroup, String destinationGroup)
            throws IOException, InterruptedException {
        call("POST", "/api/policies", Map.of("name", name, "enabled", true, "rules", List.of(Map.of(
                "name", name, "enabled", true, "action", "accept", "bidirectional", true, "protocol", "all",
                "sources", List.of(sourceGroup), "destinations", List.of(destinationGroup)))));
    }

    /** Peer id by mesh IP (the address a Login answered with). */
    Map<String, String> peerIdsByIp() throws IOException, InterruptedException {
        JsonNode peers = call("GET", "/api/peers", null);
        Map<String, String> byIp = new java.util.HashMap<>();
        peers.forEach(p -> byIp.put(p.path("ip").asText(), p.path("id").asText()));
        return byIp;
    }

    /** Count of peers the REST API shows as connected (an open Sync stream). */
    long connectedPeers() throws IOException, InterruptedException {
        JsonNode peers = call("GET", "/api/peers", null);
        long connected = 0;
        for (JsonNode p : peers) {
            if (p.path("connected").asBoolean()) {
                connected++;
            }
        }
        return connected;
    }

    private JsonNode call(String method, String path, Object body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Token " + token);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + " answered " + answer.statusCode() + ": "
                    + new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return JSON.readTree(answer.body());
    }
}

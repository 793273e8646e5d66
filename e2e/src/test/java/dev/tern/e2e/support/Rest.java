package dev.tern.e2e.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** A small client for tern-server's REST API as a script would use it. */
public final class Rest {
    public static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final String baseUrl;
    private volatile String token;

    /** A plaintext client, or for {@code https://} one that trusts the JDK's CAs. */
    public Rest(String baseUrl) {
        this.baseUrl = baseUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A client whose {@code https://} connections trust what {@code tls} trusts (host names are checked). */
    public Rest(String baseUrl, SSLContext tls) {
        this.baseUrl = baseUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build();
    }

    public void token(String token) {
        this.token = token;
    }

    public String token() {
        return token;
    }

    public JsonNode get(String path) {
        return call("GET", path, null, 200);
    }

    public JsonNode post(String path, Object body) {
        return call("POST", path, body, 200);
    }

    public JsonNode put(String path, Object body) {
        return call("PUT", path, body, 200);
    }

    public JsonNode delete(String path) {
        return call("DELETE", path, null, 200);
    }

    /** True when GET answers at all (any status), i.e. the server is up. */
    public boolean reachable() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/users/current"))
                    .timeout(Duration.ofSeconds(3)).GET().build();
            http.send(request, HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private JsonNode call(String method, String path, Object body, int expected) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (token != null) {
                b.header("Authorization", "Token " + token);
            }
            HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }
}

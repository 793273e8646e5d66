package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.web.filter.FormContentFilter;
import org.springframework.web.multipart.MultipartResolver;

/**
 * The filters decide on the path exactly as the router will: other spellings of a route ({@code ;} parameters,
 * percent-encoded letters, {@code //}, {@code /./}, {@code /../}, encoded slashes and dots) are refused with 400
 * before authentication and before any body is read, and the body bound holds on every path, however spelled
 * and however sent (Content-Length or chunked). Sent over a raw socket so the spelling reaches the server as is.
 */
@TernIntegrationTest
class PathSpellingApiTest extends ApiTestSupport {
    /** Each of these reached the setup controller (or its neighbours) without passing the filters' prefix checks. */
    static final List<String> SETUP_SPELLINGS = List.of("/api;x/setup", "/api/setup;x=1", "/api;/setup",
            "/%61pi/setup", "/api/%73etup", "/%41PI/setup", "//api/setup", "/api//setup", "/api/./setup",
            "/./api/setup", "/api/x/../setup", "/x/../api/setup", "/api/%2e/setup", "/api/%2E%2E/api/setup",
            "/api%2fsetup", "/api%2Fsetup", "/api/%5csetup", "/api/setup%00");

    /** A valid setup request padded past the limit: a server that reads it all answers 412 (setup is done). */
    static byte[] oversizedSetupBody() {
        String json = SETUP_JSON;
        char[] padding = new char[RequestBodyFilter.MAX_BODY_BYTES + 256 * 1024];
        Arrays.fill(padding, ' ');
        return (json + new String(padding)).getBytes(StandardCharsets.UTF_8);
    }

    static final String SETUP_JSON = "{\"email\":\"late@tern.test\",\"password\":\"long-enough-pw\","
            + "\"name\":\"Late\",\"create_pat\":true}";

    @Test
    void otherSpellingsOfARouteAre400BeforeTheBodyIsRead() {
        admin(); // setup is done, so a setup request that got through would be 412
        byte[] body = oversizedSetupBody();
        for (String path : SETUP_SPELLINGS) {
            for (boolean chunked : List.of(false, true)) {
                RawHttp.Response r = RawHttp.send(http.port(), "POST", path, null, body, chunked);
                assertThat(r.status()).as(path + (chunked ? " chunked" : "") + ": " + r).isEqualTo(400);
                assertThat(r.json().path("code").asInt()).as(path + ": " + r).isEqualTo(400);
                assertThat(r.json().path("message").asText()).as(path + ": " + r).isNotBlank();
            }
        }
    }

    @Test
    void theBodyBoundHoldsOnEveryPathAndForChunkedBodies() {
        admin();
        byte[] body = oversizedSetupBody();
        // Public paths read (at most the limit of) the body; all others refuse strangers before reading any.
        Map<String, Integer> expected = Map.of("/api/setup", 413, "/actuator/health", 413, "/API/setup", 401,
                "/no-such-route", 401);
        for (boolean chunked : List.of(false, true)) {
            expected.forEach((path, status) -> {
                RawHttp.Response r = RawHttp.send(http.port(), "POST", path, null, body, chunked);
                assertThat(r.status()).as(path + (chunked ? " chunked" : "") + ": " + r).isEqualTo(status);
                assertThat(r.json().path("code").asInt()).as(path + ": " + r).isEqualTo(status);
            });
        }
        // The same request within the limit reaches the controller.
        RawHttp.Response small = RawHttp.send(http.port(), "POST", "/api/setup", null,
                SETUP_JSON.getBytes(StandardCharsets.UTF_8), true);
        assertThat(small.status()).as(small.toString()).isEqualTo(412);
    }

    @Autowired
    ApplicationContext context;

    @Test
    void noFrameworkFilterReadsABodyBeforeTheBound() {
        // Spring's FormContentFilter (order -9900) would read a form-encoded PUT/DELETE body whole, unbounded and
        // before authentication; multipart parsing is another reader outside the bound. Tern reads JSON only.
        assertThat(context.getBeansOfType(FormContentFilter.class)).isEmpty();
        assertThat(context.getBeansOfType(MultipartResolver.class)).isEmpty();
    }

    @Test
    void otherSpellingsDoNotSkipAuthentication() {
        String owner = admin();
        for (String path : List.of("/api;x/users/current", "/api/users;x/current", "/%61pi/users/current",
                "/api/%75sers/current", "//api/users/current", "/api/./users/current", "/api/users/x/../current",
                "/api/%2e/users/current", "/api%2fusers/current")) {
            RawHttp.Response r = RawHttp.get(http.port(), path, null);
            assertThat(r.status()).as(path + ": " + r).isEqualTo(400);
            assertThat(r.json().path("code").asInt()).as(path + ": " + r).isEqualTo(400);
            assertThat(r.body()).as(path).doesNotContain("owner@tern.test");
        }
        // Paths the router does not know are authenticated too (401), not answered as if they were public.
        for (String path : List.of("/API/users/current", "/Api/peers", "/", "/nothing")) {
            RawHttp.Response r = RawHttp.get(http.port(), path, null);
            assertThat(r.status()).as(path + ": " + r).isEqualTo(401);
            assertThat(r.json().path("code").asInt()).as(path).isEqualTo(401);
        }
        // The canonical spelling still works, and so do ids with non-ASCII percent-encoding (UTF-8).
        assertThat(RawHttp.get(http.port(), "/api/users/current", "Token " + owner).status()).isEqualTo(200);
        RawHttp.Response accented = RawHttp.get(http.port(), "/api/groups/%C3%A9", "Token " + owner);
        assertThat(accented.status()).as(accented.toString()).isEqualTo(404);
        RawHttp.Response notUtf8 = RawHttp.get(http.port(), "/api/groups/%FF", "Token " + owner);
        assertThat(notUtf8.status()).as(notUtf8.toString()).isEqualTo(400);
    }
}

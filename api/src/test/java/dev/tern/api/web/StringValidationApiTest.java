package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every string a REST client sends passes one rule set at the edge (dev.tern.events.values.Text via JsonBodies):
 * a bad one is a 400 in NetBird's error shape and leaves no event behind, whichever endpoint and field it is in.
 */
@TernIntegrationTest
class StringValidationApiTest extends ApiTestSupport {
    /** JSON string literals, sent verbatim (so lone surrogates stay lone), bad in any field. */
    static final List<String> BAD_ANYWHERE = List.of("\"a\\u0000b\"", "\"a\\u001b[31mb\"", "\"a\\u007fb\"",
            "\"a\\u0085b\"", "\"evil\\u202egnp.exe\"", "\"a\\u2066b\"", "\"a\\ud800\"", "\"\\udc00a\"",
            "\"a\\ud800b\\udc00\"", "\"" + "d".repeat(4097) + "\"");
    /** Bad in single-line fields (names, e-mails), fine in descriptions. */
    static final List<String> BAD_IN_NAMES = List.of("\"a\\nb\"", "\"a\\rb\"", "\"a\\tb\"", "\"a\\u2028b\"",
            "\"" + "n".repeat(256) + "\"");

    @Test
    void badStringsAre400AndAppendNoEvent() {
        String group = createGroup(unique("strings"));
        CreatedKey key = createSetupKey("reusable", 0, List.of());
        String peer = register(key.key(), unique("strings")).peerId();
        RoleUser robot = serviceUser("admin");
        String policy = createPolicy(unique("strings"), List.of(group), List.of(group));
        String rule = "{\"name\":NAME,\"description\":DESC,\"enabled\":true,\"action\":\"accept\","
                + "\"bidirectional\":true,\"protocol\":\"all\",\"sources\":[\"" + group + "\"],\"destinations\":[\""
                + group + "\"]}";

        // Each template has a slot X for the value under test; the rest of it is valid.
        Map<String, String> names = new LinkedHashMap<>();
        names.put("POST /api/groups", "{\"name\":X}");
        names.put("PUT /api/groups/" + group, "{\"name\":X,\"peers\":[]}");
        names.put("POST /api/setup-keys", "{\"name\":X,\"type\":\"reusable\",\"expires_in\":86400,"
                + "\"auto_groups\":[],\"usage_limit\":0}");
        names.put("POST /api/users", "{\"name\":X,\"role\":\"user\",\"auto_groups\":[],\"is_service_user\":true}");
        names.put("POST /api/users#email", "{\"email\":X,\"name\":\"n\",\"role\":\"user\",\"auto_groups\":[],"
                + "\"is_service_user\":false}");
        names.put("POST /api/users/" + robot.userId() + "/tokens", "{\"name\":X,\"expires_in\":1}");
        names.put("POST /api/policies", "{\"name\":X,\"enabled\":true,\"rules\":[" + rule.replace("NAME", "\"r\"")
                .replace("DESC", "\"\"") + "]}");
        names.put("PUT /api/policies/" + policy + "#rule", "{\"name\":\"p\",\"enabled\":true,\"rules\":["
                + rule.replace("NAME", "X").replace("DESC", "\"\"") + "]}");
        names.put("PUT /api/peers/" + peer, "{\"name\":X,\"ssh_enabled\":false,\"login_expiration_enabled\":false,"
                + "\"inactivity_expiration_enabled\":false}");
        names.put("POST /api/setup", "{\"email\":X,\"password\":\"long-enough\",\"name\":\"n\"}");
        names.put("POST /api/setup#name", "{\"email\":\"a@b.c\",\"password\":\"long-enough\",\"name\":X}");
        names.put("POST /api/groups#peers", "{\"name\":\"g\",\"peers\":[X]}");
        Map<String, String> descriptions = new LinkedHashMap<>();
        descriptions.put("POST /api/policies", "{\"name\":\"p\",\"description\":X,\"enabled\":true,\"rules\":["
                + rule.replace("NAME", "\"r\"").replace("DESC", "\"\"") + "]}");
        descriptions.put("PUT /api/policies/" + policy, "{\"name\":\"p\",\"enabled\":true,\"rules\":["
                + rule.replace("NAME", "\"r\"").replace("DESC", "X") + "]}");

        long eventsBefore = auditTotal(admin());
        List<String> failures = new ArrayList<>();
        names.forEach((target, template) -> {
            List<String> values = new ArrayList<>(BAD_ANYWHERE);
            values.addAll(BAD_IN_NAMES);
            values.forEach(value -> expect400(target, template.replace("X", value), failures));
        });
        descriptions.forEach((target, template) ->
                BAD_ANYWHERE.forEach(value -> expect400(target, template.replace("X", value), failures)));
        assertThat(failures).isEmpty();
        assertThat(auditTotal(admin())).as("no event may be appended").isEqualTo(eventsBefore);

        // Descriptions may span lines; everything else above is refused.
        TestHttp.Response multiLine = http.put("/api/policies/" + policy, admin(), "{\"name\":\"p\",\"enabled\":true,"
                + "\"description\":\"first line\\nsecond\\tline\",\"rules\":["
                + rule.replace("NAME", "\"r\"").replace("DESC", "\"a\\r\\nb\"") + "]}");
        assertThat(multiLine.status()).as(multiLine.toString()).isEqualTo(200);
        assertThat(multiLine.json().get("description").asText()).isEqualTo("first line\nsecond\tline");
    }

    @Test
    void bodiesThatAreNotUtf8Are400AndAppendNoEvent() {
        long eventsBefore = auditTotal(admin());
        byte[][] names = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0x81},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                {'a', (byte) 0xE2, (byte) 0x82}};
        for (byte[] name : names) {
            byte[] prefix = "{\"name\":\"".getBytes(StandardCharsets.UTF_8);
            byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
            byte[] body = new byte[prefix.length + name.length + suffix.length];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            System.arraycopy(name, 0, body, prefix.length, name.length);
            System.arraycopy(suffix, 0, body, prefix.length + name.length, suffix.length);
            RawHttp.Response r = RawHttp.send(http.port(), "POST", "/api/groups", "Token " + admin(), body, false);
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.json().path("code").asInt()).isEqualTo(400);
            assertThat(r.json().path("message").asText()).contains("UTF-8");
        }
        assertThat(auditTotal(admin())).isEqualTo(eventsBefore);
    }

    @Test
    void queryParametersFollowTheSameRules() {
        for (String path : List.of("/api/events/audit?target_id=%0A", "/api/events/audit?initiator_id=%ED%A0%80",
                "/api/events/audit?activity_code=%1B%5B2J", "/api/groups?name=evil%E2%80%AEtxt", "/api/peers?name=%FF",
                "/api/events/audit?target_id=%C0%80")) {
            assertError(http.get(path, admin()), 400);
        }
        assertThat(http.get("/api/events/audit?activity_code=group.add", admin()).status()).isEqualTo(200);
        assertThat(http.get("/api/groups?name=caf%C3%A9", admin()).status()).isEqualTo(200);
    }

    @Test
    void timeParametersBeyondFourDigitYearsAre400() {
        for (String path : List.of("/api/events/audit?from=%2B999999999-01-01T00:00:00Z",
                "/api/events/audit?to=%2B999999999-01-01T00:00:00Z", "/api/events/audit?from=-999999999-01-01",
                "/api/events/audit?from=%2B10000-01-01&to=%2B20000-01-01", "/api/events/audit?to=0000-01-01",
                "/api/history/network?at=%2B999999999-01-01T00:00:00Z", "/api/history/network?at=-0001-01-01",
                "/api/events/audit?page=2147483648", "/api/events/audit?page_size=-2147483649")) {
            TestHttp.Response r = http.get(path, admin());
            assertError(r, 400);
        }
        assertThat(http.get("/api/events/audit?from=0001-01-01&to=9999-12-31T23:59:59Z", admin()).status())
                .isEqualTo(200);
    }

    void expect400(String target, String body, List<String> failures) {
        String[] methodAndPath = target.split(" ", 2);
        String path = methodAndPath[1].split("#")[0];
        TestHttp.Response r = http.send(methodAndPath[0], path, admin(), body);
        if (r.status() != 400 || r.json().path("code").asInt() != 400 || r.errorMessage() == null) {
            failures.add(target + " " + (body.length() > 200 ? body.substring(0, 200) + "..." : body) + " -> " + r);
        }
    }
}

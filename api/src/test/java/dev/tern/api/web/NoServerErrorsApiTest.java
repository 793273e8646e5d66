package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * No client mistake may produce a 500: every field of every write body is replaced in turn by values of the
 * wrong type, out-of-range numbers, empty, huge and odd strings, and nulls; every answer must be a success or a
 * 4xx in NetBird's error shape.
 */
@TernIntegrationTest
class NoServerErrorsApiTest extends ApiTestSupport {
    static final List<Object> ODD_VALUES = Arrays.asList(null, 0, -1, 2147483648L, 1.5, true, "", " ", "x".repeat(300),
            "é😀\t", List.of(), Arrays.asList((Object) null), List.of(1), List.of(""), Map.of(), Map.of("a", 1),
            "a\u0000b", "a\u001b[2Jb", "line\nbreak", "evil\u202egnp.exe", "x".repeat(5000), List.of("y".repeat(100)),
            Long.MAX_VALUE, new java.math.BigInteger("99999999999999999999"), -1e300, 1e300);
    /** Sent as raw JSON text, so that they reach the server as written (Jackson would mangle lone surrogates). */
    static final List<String> RAW_ODD_STRINGS = List.of("\"a\\ud800\"", "\"\\udc00\"", "\"\\u0000\"",
            "\"\\u0085\"");

    @Test
    void mutatedBodiesNeverYield500() {
        String group = createGroup(unique("fuzz"));
        CreatedKey key = createSetupKey("reusable", 0, List.of());
        String peer = register(key.key(), unique("fuzz")).peerId();
        RoleUser robot = serviceUser("admin");
        String policy = createPolicy(unique("fuzz"), List.of(group), List.of(group));

        Map<String, Supplier<Map<String, Object>>> posts = new LinkedHashMap<>();
        posts.put("/api/groups", () -> Map.of("name", unique("g"), "peers", List.of(peer)));
        posts.put("/api/setup-keys", () -> Map.of("name", unique("k"), "type", "reusable", "expires_in", 86400,
                "auto_groups", List.of(group), "usage_limit", 3, "ephemeral", false));
        posts.put("/api/policies", () -> Map.of("name", unique("p"), "enabled", true, "description", "d",
                "rules", List.of(rule("r", List.of(group), List.of(group), true, "tcp", List.of("22")))));
        posts.put("/api/users", () -> Map.of("name", unique("u"), "role", "user", "auto_groups", List.of(),
                "is_service_user", true));
        posts.put("/api/users/" + robot.userId() + "/tokens", () -> Map.of("name", "t", "expires_in", 1));
        posts.put("/api/setup", () -> Map.of("email", "a@b.c", "name", "n", "password", "long-enough",
                "create_pat", true, "pat_expire_in", 1));

        posts.put("/api/routes", () -> Map.of("description", "d", "network_id", "n", "enabled", true,
                "network", "10.250.0.0/24", "peer", peer, "metric", 10, "masquerade", false,
                "groups", List.of(group), "keep_route", false));
        Map<String, Supplier<Map<String, Object>>> puts = new LinkedHashMap<>();
        puts.put("/api/groups/" + group, () -> Map.of("name", unique("g"), "peers", List.of(peer)));
        puts.put("/api/setup-keys/" + key.id(), () -> Map.of("revoked", false, "auto_groups", List.of(group)));
        puts.put("/api/policies/" + policy, () -> Map.of("name", unique("p"), "enabled", true,
                "rules", List.of(rule("r", List.of(group), List.of(group), true, "udp", List.of("53")))));
        puts.put("/api/users/" + robot.userId(), () -> Map.of("role", "admin", "auto_groups", List.of(),
                "is_blocked", false));
        puts.put("/api/peers/" + peer, () -> Map.of("name", unique("peer"), "ssh_enabled", false,
                "login_expiration_enabled", false, "inactivity_expiration_enabled", false));

        String route = http.post("/api/routes", admin(), Map.of("description", "d", "network_id", "n",
                "enabled", true, "domains", List.of("fuzz.example"), "peer_groups", List.of(group), "metric", 10,
                "masquerade", false, "groups", List.of(group), "keep_route", false)).json().get("id").asText();
        puts.put("/api/routes/" + route, () -> Map.of("description", "d", "network_id", "n", "enabled", true,
                "domains", List.of("fuzz.example"), "peer_groups", List.of(group), "metric", 10, "masquerade", false,
                "groups", List.of(group), "keep_route", false, "access_control_groups", List.of(group)));

        String network = http.post("/api/networks", admin(), Map.of("name", unique("n"))).json().get("id").asText();
        posts.put("/api/networks", () -> Map.of("name", unique("n"), "description", "d"));
        posts.put("/api/networks/" + network + "/resources", () -> Map.of("name", unique("r"),
                "address", "10.251.0.0/24", "enabled", true, "groups", List.of(group)));
        posts.put("/api/networks/" + network + "/routers", () -> Map.of("peer_groups", List.of(group), "metric", 10,
                "masquerade", false, "enabled", true));

        com.fasterxml.jackson.databind.JsonNode accountJson = http.get("/api/accounts", admin()).json().get(0);
        String account = accountJson.get("id").asText();
        com.fasterxml.jackson.databind.JsonNode settings = accountJson.get("settings");
        puts.put("/api/accounts/" + account, () -> Map.of("settings", Map.of("peer_login_expiration_enabled", true,
                "peer_login_expiration", 86400, "peer_inactivity_expiration_enabled", false,
                "peer_inactivity_expiration", 600)));

        posts.put("/api/dns/nameservers", () -> Map.of("name", unique("ns"), "description", "d",
                "nameservers", List.of(Map.of("ip", "10.9.0.53", "ns_type", "udp", "port", 53)), "enabled", true,
                "groups", List.of(group), "primary", false, "domains", List.of("corp.example"),
                "search_domains_enabled", true));
        posts.put("/api/dns/zones", () -> Map.of("name", "z", "domain", unique("z") + ".example",
                "enable_search_domain", false, "distribution_groups", List.of(group)));
        String zone = http.post("/api/dns/zones", admin(), Map.of("name", "z", "domain", unique("fuzz") + ".example",
                "enable_search_domain", false, "distribution_groups", List.of(group))).json().get("id").asText();
        String zoneDomain = http.get("/api/dns/zones/" + zone, admin()).json().get("domain").asText();
        posts.put("/api/dns/zones/" + zone + "/records", () -> Map.of("name", "www." + zoneDomain, "type", "A",
                "content", "10.0.0.1", "ttl", 60));
        puts.put("/api/dns/settings", () -> Map.of("disabled_management_groups", List.of(group)));

        List<String> failures = new ArrayList<>();
        posts.forEach((path, body) -> fuzz("POST", path, body, failures));
        puts.forEach((path, body) -> fuzz("PUT", path, body, failures));
        // Nested: every field of a policy rule.
        Map<String, Object> validRule = rule("r", List.of(group), List.of(group), true, "tcp", List.of("22"));
        for (String field : validRule.keySet()) {
            for (Object odd : ODD_VALUES) {
                Map<String, Object> r = new HashMap<>(validRule);
                r.put(field, odd);
                Map<String, Object> body = new HashMap<>();
                body.put("name", unique("p"));
                body.put("enabled", true);
                body.put("rules", List.of(r));
                check("POST", "/api/policies", body, failures);
            }
        }
        // The shared account's settings go back to what they were, whatever the fuzzing changed.
        TestHttp.Response restored = http.put("/api/accounts/" + account, admin(), Map.of("settings", settings));
        assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
        TestHttp.Response dnsRestored = http.put("/api/dns/settings", admin(),
                Map.of("disabled_management_groups", List.of()));
        assertThat(dnsRestored.status()).as(dnsRestored.toString()).isEqualTo(200);
        assertThat(failures).isEmpty();
        // The admin's own user must still be intact whatever the fuzzing did to others.
        assertThat(http.get("/api/users/current", admin()).status()).isEqualTo(200);
    }

    @Test
    void oddIdsAndParametersNeverYield500() {
        List<String> failures = new ArrayList<>();
        for (String id : List.of("x".repeat(5000), "%20", "..", "%2e%2e", "é", "%F0%9F%98%80", "a;b", "a'b", "-1",
                "%FF", "%ED%A0%80", "%C0%AE", "%E2%80%AE", "%61", "a%2Fb")) {
            for (String path : List.of("/api/groups/", "/api/peers/", "/api/policies/", "/api/setup-keys/",
                    "/api/users/" + id + "/tokens/", "/api/peers/" + id + "/accessible-peers?x=",
                    "/api/dns/nameservers/", "/api/dns/zones/", "/api/dns/zones/" + id + "/records/",
                    "/api/routes/", "/api/networks/", "/api/networks/" + id + "/resources/")) {
                check("GET", path + id, null, failures);
                check("DELETE", path + id, null, failures);
            }
        }
        for (String q : List.of("page=-5", "page_size=0", "page=99999999999", "from=2024-01-01", "to=%25zz",
                "initiator_id=" + "y".repeat(3000), "activity_code='%20OR%201=1%20--", "page=2147483647&page_size=1000",
                "from=%2B999999999-01-01T00:00:00Z", "to=%2B999999999-12-31T23:59:59Z", "from=-999999999-01-01",
                "to=%2B999999999-12-31T23:59:59.999999999-18:00", "from=0000-01-01", "page=-2147483649",
                "page_size=99999999999999999999", "initiator_id=%ED%A0%80", "target_id=%FF", "activity_code=%C0%80")) {
            check("GET", "/api/events/audit?" + q, null, failures);
        }
        for (String at : List.of("%2B999999999-01-01T00:00:00Z", "-999999999-12-31", "%2B10000-01-01", "0000-01-01",
                "9999-12-31T23:59:59-18:00", "%FF", "")) {
            check("GET", "/api/history/network?at=" + at, null, failures);
        }
        check("GET", "/api/users?service_user=maybe", null, failures);
        assertThat(failures).isEmpty();
    }

    void fuzz(String method, String path, Supplier<Map<String, Object>> valid, List<String> failures) {
        check(method, path, "{}", failures);
        check(method, path, "[]", failures);
        check(method, path, "null", failures);
        check(method, path, "1", failures);
        for (String field : valid.get().keySet()) {
            for (String raw : RAW_ODD_STRINGS) {
                Map<String, Object> body = new HashMap<>(valid.get());
                body.put(field, "RAW-ODD-STRING");
                check(method, path, TestHttp.toJson(body).replace("\"RAW-ODD-STRING\"", raw), failures);
            }
            for (Object odd : ODD_VALUES) {
                Map<String, Object> body = new HashMap<>(valid.get());
                body.put(field, odd);
                check(method, path, body, failures);
            }
            Map<String, Object> without = new HashMap<>(valid.get());
            without.remove(field);
            check(method, path, without, failures);
        }
    }

    void check(String method, String path, Object body, List<String> failures) {
        TestHttp.Response r = http.send(method, path, admin(), body == null ? null : TestHttp.toJson(body));
        boolean ok = r.status() < 500 && (r.isSuccess() || r.json().path("code").asInt() == r.status());
        if (!ok) {
            failures.add(method + " " + path + " " + (body == null ? "" : TestHttp.toJson(body)) + " -> " + r);
        }
    }
}

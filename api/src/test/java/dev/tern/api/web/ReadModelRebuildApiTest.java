package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.testsupport.oidc.OidcTestProvider;
import dev.tern.testsupport.oidc.OidcTestProvider.Spec;
import dev.tern.testsupport.oidc.OidcTestProvider.User;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code POST /api/admin/read-models/rebuild} on the running server: after a history touching every read table,
 * damaged tables come back row for row, for a full rebuild and for each projection alone.
 */
@TernIntegrationTest
class ReadModelRebuildApiTest extends ApiTestSupport {
    private static final String REBUILD = "/api/admin/read-models/rebuild";
    /**
     * Tables of the schema that are no read model: Axon's stores, Flyway's history, the server's key, and the
     * last use of each token, which the requests of this very test keep writing.
     */
    private static final List<String> NOT_READ_TABLES = List.of("domain_event_entry", "snapshot_event_entry",
            "token_entry", "saga_entry", "association_value_entry", "flyway_schema_history", "management_server_key",
            "token_usage");

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void rebuildRestoresEveryReadTableRowForRowAlsoOneProjectionAtATime() {
        richHistory();
        Map<String, List<String>> history = dump();
        history.entrySet().stream().filter(table -> table.getKey().startsWith("rm_")).forEach(table ->
                assertThat(table.getValue()).as("the history leaves rows in %s", table.getKey()).isNotEmpty());

        JsonNode job = rebuildRestores(null, () -> {
            jdbc.update("UPDATE rm_peers SET name = 'tampered'");
            jdbc.update("DELETE FROM rm_groups WHERE NOT is_all");
            jdbc.update("DELETE FROM rm_dns_records");
            jdbc.update("UPDATE rm_setup_keys SET used_times = 99");
            jdbc.update("DELETE FROM rm_network_routers");
            jdbc.update("DELETE FROM rm_audit WHERE global_index > (SELECT max(global_index) - 5 FROM rm_audit)");
        });
        assertThat(job.get("projection").isNull()).isTrue();
        assertThat(job.get("projections").toString()).contains("\"audit\"", "\"peers\"", "\"dns\"", "\"networks\"");
        assertThat(job.get("events_done").asLong()).isPositive().isEqualTo(job.get("events_total").asLong());

        for (String projection : List.of("users", "setupkeys", "groups", "peers", "routes", "networks", "dns")) {
            JsonNode one = rebuildRestores(projection, () -> { });
            assertThat(one.get("projection").asText()).isEqualTo(projection);
        }
        // The processor runs again: a write after the rebuilds is read back at once.
        String later = unique("after-rebuild");
        TestHttp.Response created = http.post("/api/groups", admin(), Map.of("name", later));
        assertThat(http.get("/api/groups/" + created.json().get("id").asText(), admin()).json().get("name").asText())
                .isEqualTo(later);
    }

    /**
     * Damages the tables, rebuilds ({@code projection} alone, or all when null) and compares every read table with
     * the dump taken before the damage. The server shares this database with the whole suite and its expiry sweeps
     * append events on their own (a peer's login expires, an ephemeral peer is removed); an event appended between the
     * dump and the comparison legitimately changes the tables, so such a round is repeated — the last round must be
     * quiet and equal.
     */
    private JsonNode rebuildRestores(String projection, Runnable damage) {
        for (int round = 1; ; round++) {
            assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            long lastEvent = lastEvent();
            Map<String, List<String>> before = dump();
            damage.run();
            if (projection == null) {
                assertThat(dump()).as("the damage changes the tables").isNotEqualTo(before);
            }
            JsonNode job = awaitDone(http.post(REBUILD, admin(),
                    projection == null ? null : Map.of("projection", projection)));
            assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
            Map<String, List<String>> after = dump();
            List<String> appended = jdbc.queryForList("SELECT payload_type FROM domain_event_entry "
                    + "WHERE global_index > ? ORDER BY global_index", String.class, lastEvent);
            if (!appended.isEmpty() && round < 3) {
                continue;
            }
            assertThat(appended).as("events appended meanwhile in the last round").isEmpty();
            assertSameRows(after, before, projection == null ? "after the full rebuild"
                    : "after rebuilding " + projection + " alone");
            return job;
        }
    }

    private long lastEvent() {
        return jdbc.queryForObject("SELECT coalesce(max(global_index), 0) FROM domain_event_entry", Long.class);
    }

    @Test
    void onlyOwnersAndAdminsRebuildAndMistakesAreClear() {
        assertError(http.post(REBUILD, serviceUser("user").token(), null), 403);
        assertError(http.post(REBUILD, serviceUser("auditor").token(), null), 403);
        assertError(http.get(REBUILD + "/no-such-job", admin()), 404);
        TestHttp.Response unknown = http.post(REBUILD, admin(), Map.of("projection", "peerz"));
        assertError(unknown, 400);
        assertThat(unknown.errorMessage()).contains("peerz").contains("dns, groups, identity, networks, peers, routes");
        assertError(http.post(REBUILD, admin(), Map.of("projection", "audit")), 400);
        assertError(http.post(REBUILD, admin(), Map.of("projection", 7)), 400);
        assertError(http.post(REBUILD, admin(), "[1,2"), 400);
    }

    private JsonNode awaitDone(TestHttp.Response started) {
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String id = started.json().get("id").asText();
        assertThat(started.headers().get("location")).containsExactly(REBUILD + "/" + id);
        // REST keeps answering while the rebuild runs.
        assertThat(http.get("/api/groups", admin()).status()).isEqualTo(200);
        JsonNode[] last = new JsonNode[1];
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            TestHttp.Response r = http.get(REBUILD + "/" + id, admin());
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            last[0] = r.json();
            return !"running".equals(last[0].get("state").asText());
        });
        assertThat(last[0].get("state").asText()).as(last[0].toString()).isEqualTo("done");
        assertThat(last[0].get("finished_at").isTextual()).isTrue();
        return last[0];
    }

    /** Peers, groups, a policy, keys, users, tokens, DNS, routes and networks: a row in every read table. */
    private void richHistory() {
        String token = admin();
        OidcTestProvider idp = OidcTestProvider.shared(Spec.of("idp-rebuild",
                List.of(new User("x", "x", "X", "x@example.com", List.of()))));
        TestHttp.Response provider = http.post("/api/identity-providers", token, Map.of("type", "oidc",
                "name", unique("rb-idp"), "issuer", idp.issuer(), "client_id", idp.clientId()));
        assertThat(provider.status()).as(provider.toString()).isEqualTo(200);
        // JWT group settings (sync off: the sign-in tests on this shared server set their own when they need it)
        JsonNode current = http.get("/api/accounts", token).json().get(0);
        Map<String, Object> settings = new LinkedHashMap<>();
        for (String field : List.of("peer_login_expiration_enabled", "peer_login_expiration",
                "peer_inactivity_expiration_enabled", "peer_inactivity_expiration")) {
            settings.put(field, current.get("settings").get(field));
        }
        settings.put("jwt_groups_enabled", false);
        settings.put("jwt_groups_claim_name", unique("rb-groups"));
        settings.put("jwt_allow_groups", List.of());
        TestHttp.Response jwt = http.put("/api/accounts/" + current.get("id").asText(), token,
                Map.of("settings", settings));
        assertThat(jwt.status()).as(jwt.toString()).isEqualTo(200);
        String dev = createGroup(unique("rb-dev"));
        String ops = createGroup(unique("rb-ops"));
        CreatedKey key = createSetupKey("reusable", 10, List.of(dev));
        PeerRegistration alpha = register(key.key(), unique("rb-alpha"));
        PeerRegistration beta = register(key.key(), unique("rb-beta"));
        assertThat(http.put("/api/groups/" + ops, token, Map.of("name", unique("rb-ops2"),
                "peers", List.of(beta.peerId()))).status()).isEqualTo(200);
        createPolicy(unique("rb-policy"), List.of(dev), List.of(ops));
        serviceUser("admin");
        Map<String, Object> ns = new HashMap<>();
        ns.put("name", unique("rb-ns"));
        ns.put("description", "resolver");
        ns.put("nameservers", List.of(Map.of("ip", "10.9.0.53", "ns_type", "udp", "port", 53)));
        ns.put("enabled", true);
        ns.put("groups", List.of(dev));
        ns.put("domains", List.of("rb.example"));
        ns.put("primary", false);
        ns.put("search_domains_enabled", false);
        assertThat(http.post("/api/dns/nameservers", token, ns).status()).isEqualTo(200);
        String domain = unique("rb") + ".zone.example";
        String zone = http.post("/api/dns/zones", token, Map.of("name", "rb", "domain", domain,
                "enable_search_domain", false, "distribution_groups", List.of(dev))).json().get("id").asText();
        assertThat(http.post("/api/dns/zones/" + zone + "/records", token, Map.of("name", "db." + domain,
                "type", "A", "content", "10.1.2.3", "ttl", 300)).status()).isEqualTo(200);
        assertThat(http.put("/api/dns/settings", token, Map.of("disabled_management_groups", List.of(ops)))
                .status()).isEqualTo(200);
        Map<String, Object> route = new HashMap<>();
        route.put("description", "lab");
        route.put("network_id", "lab");
        route.put("enabled", true);
        route.put("peer", alpha.peerId());
        route.put("network", "172.31." + (System.nanoTime() % 200) + ".0/24");
        route.put("metric", 9999);
        route.put("masquerade", true);
        route.put("groups", List.of(dev));
        route.put("keep_route", false);
        TestHttp.Response routed = http.post("/api/routes", token, route);
        assertThat(routed.status()).as(routed.toString()).isEqualTo(200);
        String net = http.post("/api/networks", token, Map.of("name", unique("rb-site"), "description", "site"))
                .json().get("id").asText();
        assertThat(http.post("/api/networks/" + net + "/resources", token, Map.of("name", "lab",
                "address", "10.10.10.0/24", "enabled", true, "groups", List.of(dev))).status()).isEqualTo(200);
        assertThat(http.post("/api/networks/" + net + "/routers", token, Map.of("peer", beta.peerId(),
                "metric", 100, "masquerade", true, "enabled", true)).status()).isEqualTo(200);
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
    }

    /** Table by table, naming only the rows that differ (a whole-schema dump in a failure message hides them). */
    private static void assertSameRows(Map<String, List<String>> actual, Map<String, List<String>> expected,
            String when) {
        assertThat(actual.keySet()).as("tables %s", when).isEqualTo(expected.keySet());
        expected.forEach((table, rows) -> {
            List<String> missing = new ArrayList<>(rows);
            missing.removeAll(actual.get(table));
            List<String> extra = new ArrayList<>(actual.get(table));
            extra.removeAll(rows);
            assertThat(actual.get(table)).as("%s %s: rows missing %s, rows extra %s", table, when, missing, extra)
                    .isEqualTo(rows);
        });
    }

    /** Every row of every read table of the schema (enumerated, so a new table is compared too), as text. */
    private Map<String, List<String>> dump() {
        List<String> tables = jdbc.queryForList("""
                SELECT table_name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1""", String.class);
        tables.removeAll(NOT_READ_TABLES);
        assertThat(tables).contains("rm_peers", "rm_audit", "rm_dns_records", "rm_routes", "rm_network_routers",
                "rm_tokens", "peer_status");
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String table : tables) {
            // audit rows re-inserted by a rebuild draw new stream cursors (V170): compared without them
            List<String> content = jdbc.queryForList("SELECT (to_jsonb(t) - 'stream_cursor')::text FROM " + table
                    + " t ORDER BY 1", String.class);
            rows.put(table, content);
        }
        return rows;
    }
}

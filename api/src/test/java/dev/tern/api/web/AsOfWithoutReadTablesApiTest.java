package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.history.PointInTime;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.query.history.ReadModelAt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The as-of GETs answered without building the read tables as of the instant ({@code PointInTime#readFolded}): the
 * account's events folded in memory ({@code AccountSnapshot}) and the state's network maps. On histories touching
 * every resource (renames whose order depends on the database's collation, memberships, policies, keys used, revoked
 * and stripped of a deleted auto-group, users blocked and promoted, tokens, routes, networks, DNS, account and JWT
 * settings, a network move, deletions), every GET's answer (status and body, byte for byte; 404s for what was not
 * there then) equals the answer through the read tables, for the owner and a plain user, and no read table is built
 * for them.
 */
@TernIntegrationTest
class AsOfWithoutReadTablesApiTest extends AsOfApiTestSupport {
    @Autowired
    PointInTime pointInTime;
    @Autowired
    ReadModelAt readModel;

    /** Path to status and body of each network map as of {@code at}. */
    private Map<String, String> maps(List<String> peers, Instant at) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String peer : peers) {
            TestHttp.Response r = http.get("/api/peers/" + peer + "/network-map?as_of=" + at, token);
            out.put(peer, r.status() + " " + (r.status() == 200 ? r.json().toString() : ""));
        }
        return out;
    }

    @Test
    void networkMapsAsOfWithoutTheReadTablesAreThoseThroughThem() {
        OtherAccount account = otherAccount();
        token = account.token();
        String dev = createGroup(token, unique("dev"), List.of());
        String ops = createGroup(token, unique("ops"), List.of());
        CreatedKey key = createSetupKey(token, "reusable", 0, List.of(dev));
        List<Instant> instants = new ArrayList<>();
        String a = register(key.key(), unique("alpha")).peerId();
        instants.add(lastEventTime(account.accountId()));
        String b = register(key.key(), unique("beta")).peerId();
        String c = register(key.key(), unique("gamma")).peerId();
        String policy = post("/api/policies", Map.of("name", unique("dev-ssh"), "enabled", true, "rules",
                List.of(rule("ssh", List.of(dev), List.of(dev), true, "tcp", List.of("22")))));
        instants.add(lastEventTime(account.accountId()));
        put("/api/peers/" + a, Map.of("name", unique("alpha-renamed"), "ssh_enabled", true,
                "login_expiration_enabled", false, "inactivity_expiration_enabled", false));
        put("/api/groups/" + ops, Map.of("name", unique("ops-renamed"), "peers", List.of(b, c)));
        instants.add(lastEventTime(account.accountId()));
        put("/api/policies/" + policy, Map.of("name", unique("dev-to-ops"), "enabled", true, "rules",
                List.of(rule("web", List.of(dev), List.of(ops), false, "tcp", List.of("443")))));
        instants.add(lastEventTime(account.accountId()));
        moveNetwork(account, "172.21.9.0/24");
        instants.add(lastEventTime(account.accountId()));
        assertThat(http.delete("/api/peers/" + c, token).status()).isEqualTo(200);
        instants.add(lastEventTime(account.accountId()));
        put("/api/policies/" + policy, Map.of("name", unique("dev-to-ops-off"), "enabled", false, "rules",
                List.of(rule("web", List.of(dev), List.of(ops), false, "tcp", List.of("443")))));
        instants.add(lastEventTime(account.accountId()));
        List<String> peers = List.of(a, b, c, "no-such-peer");

        for (Instant at : instants) {
            long tableReads = readModel.readsStarted();
            Map<String, String> withoutTables = maps(peers, at);
            assertThat(readModel.readsStarted()).as("read tables built for network maps as of %s", at)
                    .isEqualTo(tableReads);
            pointInTime.readTablesAlways(true);
            try {
                assertThat(withoutTables).as("as of %s", at).isEqualTo(maps(peers, at));
                assertThat(readModel.readsStarted()).isEqualTo(tableReads + peers.size());
            } finally {
                pointInTime.readTablesAlways(false);
            }
        }
        // the history shows: c before its registration and after its deletion is a 404, with a map between
        assertThat(maps(List.of(c), instants.get(0)).get(c)).startsWith("404");
        assertThat(maps(List.of(c), instants.get(4)).get(c)).startsWith("200");
        assertThat(maps(List.of(c), instants.get(5)).get(c)).startsWith("404");
        // and the network move: the old addresses before it, the new range's after
        assertThat(maps(List.of(a), instants.get(3)).get(a)).doesNotContain("172.21.9.");
        assertThat(maps(List.of(a), instants.get(4)).get(a)).contains("\"172.21.9.");
        assertThat(maps(List.of(a), instants.get(2)).get(a)).contains("\"ssh_enabled\":true");
    }

    /** Status and body of each GET as of {@code at}, as {@code caller}. */
    private Map<String, String> answers(List<String> paths, Instant at, String caller) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String path : paths) {
            TestHttp.Response r = http.get(path + (path.contains("?") ? "&" : "?") + "as_of=" + at, caller);
            assertThat(r.status()).as("%s as of %s: %s", path, at, r).isIn(200, 403, 404);
            out.put(path, r.status() + " " + r.body());
        }
        return out;
    }

    private void delete(String path) {
        TestHttp.Response r = http.delete(path, token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    @Test
    void everyAsOfGetFoldedFromTheEventsIsThatOfTheReadTablesByteForByte() {
        OtherAccount account = otherAccount();
        token = account.token();
        String suffix = unique("");
        List<Instant> instants = new ArrayList<>();
        String dev = createGroup(token, "dev" + suffix, List.of());
        String ops = createGroup(token, "Ops" + suffix, List.of());
        String gone = createGroup(token, "_gone" + suffix, List.of());
        CreatedKey reusable = createSetupKey(token, "reusable", 0, List.of(dev, gone));
        CreatedKey oneOff = createSetupKey(token, "one-off", 0, List.of());
        String plainUser = post("/api/users", Map.of("name", "Plain" + suffix, "role", "user",
                "auto_groups", List.of(gone, ops), "is_service_user", true));
        String plain = http.post("/api/users/" + plainUser + "/tokens", token, Map.of("name", "t", "expires_in", 1))
                .json().get("plain_token").asText();
        String helper = post("/api/users", Map.of("name", "helper" + suffix, "role", "admin",
                "auto_groups", List.of(), "is_service_user", true));
        String helperToken = http.post("/api/users/" + helper + "/tokens", token, Map.of("name", "ci",
                "expires_in", 30)).json().get("personal_access_token").get("id").asText();
        instants.add(lastEventTime(account.accountId()));
        String a = register(reusable.key(), "alpha" + suffix).peerId();
        String b = register(reusable.key(), "Beta" + suffix).peerId();
        String c = register(reusable.key(), "beta" + suffix).peerId();
        String d = register(oneOff.key(), "_delta" + suffix).peerId();
        String policy = post("/api/policies", Map.of("name", "dev-ssh" + suffix, "enabled", true, "rules",
                List.of(rule("ssh", List.of(dev), List.of(ops), true, "tcp", List.of("22")))));
        post("/api/policies", Map.of("name", "Any" + suffix, "enabled", true, "rules",
                List.of(rule("all", List.of(ops), List.of(dev), false, "all", List.of()))));
        String route = post("/api/routes", new HashMap<>(Map.of("description", "lab", "network_id", "Lab",
                "enabled", true, "metric", 100, "masquerade", true, "groups", List.of(dev), "keep_route", false,
                "network", "10.20.0.0/24", "peer", a)));
        post("/api/routes", new HashMap<>(Map.of("description", "office", "network_id", "lab", "enabled", true,
                "metric", 90, "masquerade", false, "groups", List.of(ops), "keep_route", true,
                "network", "10.21.0.0/24", "peer", b)));
        String network = post("/api/networks", Map.of("name", "site" + suffix, "description", "the site"));
        String other = post("/api/networks", Map.of("name", "Backup" + suffix, "description", ""));
        String resource = post("/api/networks/" + network + "/resources", Map.of("name", "lab",
                "address", "10.30.0.0/24", "enabled", true, "groups", List.of(dev)));
        post("/api/networks/" + network + "/resources", Map.of("name", "printers", "address", "10.31.0.7/32",
                "enabled", true, "groups", List.of(ops)));
        String router = post("/api/networks/" + network + "/routers", Map.of("peer", b, "metric", 100,
                "masquerade", true, "enabled", true));
        post("/api/networks/" + other + "/routers", Map.of("peer_groups", List.of(ops), "metric", 50,
                "masquerade", false, "enabled", true));
        Map<String, Object> ns = new HashMap<>(Map.of("name", "corp" + suffix, "description", "corp",
                "nameservers", List.of(Map.of("ip", "10.9.0.53", "ns_type", "udp", "port", 53)), "enabled", true,
                "groups", List.of(dev), "primary", false, "domains", List.of("corp.example"),
                "search_domains_enabled", true));
        String nameservers = post("/api/dns/nameservers", ns);
        String zoneDomain = unique("office") + ".example";
        String zone = post("/api/dns/zones", Map.of("name", "office", "domain", zoneDomain,
                "enable_search_domain", false, "distribution_groups", List.of(dev)));
        String record = post("/api/dns/zones/" + zone + "/records", Map.of("name", "printer." + zoneDomain,
                "type", "A", "content", "10.30.0.9", "ttl", 300));
        post("/api/dns/zones/" + zone + "/records", Map.of("name", "Files." + zoneDomain, "type", "A",
                "content", "10.30.0.10", "ttl", 60));
        put("/api/dns/settings", Map.of("disabled_management_groups", List.of(ops)));
        instants.add(lastEventTime(account.accountId()));

        // then: renames, memberships, a key revoked and another's groups changed, users changed, a token deleted,
        // updates of every kind, a group deleted, JWT settings and a network move
        put("/api/peers/" + a, Map.of("name", "Zeta one" + suffix, "ssh_enabled", true,
                "login_expiration_enabled", false, "inactivity_expiration_enabled", false));
        put("/api/groups/" + ops, Map.of("name", "ops" + suffix, "peers", List.of(b, c, d)));
        put("/api/groups/" + gone, Map.of("name", "_gone" + suffix, "peers", List.of(a, b)));
        // (a group still some key's or user's auto-group cannot be deleted: they let go of _gone first)
        put("/api/setup-keys/" + reusable.id(), Map.of("revoked", true, "auto_groups", List.of(dev)));
        put("/api/setup-keys/" + oneOff.id(), Map.of("revoked", false, "auto_groups", List.of(ops, dev)));
        put("/api/users/" + plainUser, Map.of("role", "user", "auto_groups", List.of(ops), "is_blocked", false));
        put("/api/users/" + helper, Map.of("role", "auditor", "auto_groups", List.of(dev), "is_blocked", true));
        put("/api/policies/" + policy, Map.of("name", "dev-to-ops" + suffix, "enabled", true, "rules",
                List.of(rule("web", List.of(dev), List.of(ops), false, "tcp", List.of("443", "8000-8080")))));
        put("/api/routes/" + route, new HashMap<>(Map.of("description", "lab moved", "network_id", "Lab",
                "enabled", false, "metric", 10, "masquerade", true, "groups", List.of(dev, ops),
                "keep_route", false, "network", "10.22.0.0/24", "peer", c)));
        put("/api/networks/" + network, Map.of("name", "Site" + suffix, "description", "renamed"));
        put("/api/networks/" + network + "/resources/" + resource, Map.of("name", "lab", "address", "lab.example",
                "enabled", true, "groups", List.of(dev, ops)));
        put("/api/dns/nameservers/" + nameservers, new HashMap<>(Map.of("name", "corp" + suffix,
                "description", "corp v2", "nameservers", List.of(Map.of("ip", "10.9.0.54", "ns_type", "udp",
                        "port", 5353)), "enabled", false, "groups", List.of(dev, ops), "primary", false,
                "domains", List.of("corp.example", "lab.example"), "search_domains_enabled", false)));
        Map<String, Object> settings = AccountsApiTest.settings(true, 3_600, true, 7_200);
        settings.put("jwt_groups_enabled", true);
        settings.put("jwt_groups_claim_name", "roles");
        settings.put("jwt_allow_groups", List.of("staff"));
        TestHttp.Response accountPut = http.put("/api/accounts/" + account.accountId(), token,
                Map.of("settings", settings));
        assertThat(accountPut.status()).as(accountPut.toString()).isEqualTo(200);
        instants.add(lastEventTime(account.accountId()));
        delete("/api/groups/" + gone);
        delete("/api/users/" + helper + "/tokens/" + helperToken);
        delete("/api/peers/" + c);
        delete("/api/networks/" + network + "/routers/" + router);
        delete("/api/dns/zones/" + zone + "/records/" + record);
        moveNetwork(account, "10.88.4.0/24");
        instants.add(lastEventTime(account.accountId()));
        delete("/api/dns/zones/" + zone);
        delete("/api/routes/" + route);
        delete("/api/users/" + helper);
        delete("/api/setup-keys/" + reusable.id());
        delete("/api/policies/" + policy);
        delete("/api/dns/nameservers/" + nameservers);
        instants.add(lastEventTime(account.accountId()));

        List<String> paths = new ArrayList<>(List.of("/api/accounts", "/api/peers", "/api/peers?name=beta" + suffix,
                "/api/groups", "/api/groups/" + dev, "/api/groups/" + gone, "/api/policies",
                "/api/policies/" + policy, "/api/setup-keys", "/api/setup-keys/" + reusable.id(),
                "/api/setup-keys/" + oneOff.id(), "/api/users", "/api/users/current",
                "/api/users/" + helper + "/tokens", "/api/users/" + helper + "/tokens/" + helperToken,
                "/api/users/" + plainUser + "/tokens", "/api/routes", "/api/routes/" + route, "/api/networks",
                "/api/networks/" + network, "/api/networks/" + other, "/api/networks/" + network + "/resources",
                "/api/networks/" + network + "/resources/" + resource, "/api/networks/" + network + "/routers",
                "/api/networks/" + network + "/routers/" + router, "/api/networks/routers", "/api/dns/settings",
                "/api/dns/nameservers", "/api/dns/nameservers/" + nameservers, "/api/dns/zones",
                "/api/dns/zones/" + zone, "/api/dns/zones/" + zone + "/records",
                "/api/dns/zones/" + zone + "/records/" + record, "/api/peers/" + a + "/access/" + b,
                "/api/peers/" + d + "/access/" + c, "/api/peers/" + a + "/timeline?page_size=3",
                "/api/peers/no-such-peer"));
        for (String peer : List.of(a, b, c, d)) {
            paths.addAll(List.of("/api/peers/" + peer, "/api/peers/" + peer + "/accessible-peers",
                    "/api/peers/" + peer + "/network-map"));
        }

        for (Instant at : instants) {
            // a plain user sees less (its own peers, no users' list): asked at two of the instants
            List<String> callers = at.equals(instants.get(1)) || at.equals(instants.get(3)) ? List.of(token, plain)
                    : List.of(token);
            for (String caller : callers) {
                long tableReads = readModel.readsStarted();
                Map<String, String> folded = answers(paths, at, caller);
                assertThat(readModel.readsStarted()).as("read tables built as of %s", at).isEqualTo(tableReads);
                pointInTime.readTablesAlways(true);
                try {
                    Map<String, String> throughTables = answers(paths, at, caller);
                    paths.forEach(path -> assertThat(folded.get(path)).as("%s as of %s", path, at)
                            .isEqualTo(throughTables.get(path)));
                } finally {
                    pointInTime.readTablesAlways(false);
                }
            }
        }
        // the history shows in the answers (not merely the same nothing both ways)
        Map<String, String> second = answers(paths, instants.get(1), token);
        Map<String, String> third = answers(paths, instants.get(2), token);
        Map<String, String> last = answers(paths, instants.get(4), token);
        assertThat(second.get("/api/setup-keys/" + reusable.id())).startsWith("200").contains("\"used_times\":3")
                .contains(gone);
        assertThat(third.get("/api/setup-keys/" + reusable.id())).contains("\"revoked\":true");
        assertThat(third.get("/api/setup-keys/" + reusable.id())).doesNotContain(gone);
        assertThat(answers(paths, instants.get(3), token).get("/api/groups/" + gone)).startsWith("404");
        assertThat(third.get("/api/users")).contains("\"auditor\"").contains("\"is_blocked\":true");
        assertThat(third.get("/api/accounts")).contains("\"jwt_groups_claim_name\":\"roles\"");
        assertThat(second.get("/api/accounts")).doesNotContain("\"roles\"");
        assertThat(second.get("/api/dns/zones/" + zone + "/records")).contains("files.").contains("printer.");
        assertThat(last.get("/api/dns/zones/" + zone)).startsWith("404");
        assertThat(last.get("/api/routes")).startsWith("200").doesNotContain(route);
        assertThat(second.get("/api/users/" + helper + "/tokens/" + helperToken)).startsWith("200");
        assertThat(answers(paths, instants.get(3), token).get("/api/users/" + helper + "/tokens/" + helperToken))
                .startsWith("404");
        assertThat(answers(paths, instants.get(3), token).get("/api/peers")).contains("\"10.88.4.");
    }

    private String list(String query, Instant at, String caller) {
        TestHttp.Response r = http.get("/api/peers?" + query + "as_of=" + at, caller);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.body();
    }

    /** Moves the account's peers to a new network range, its other settings as an account starts with. */
    private void moveNetwork(OtherAccount account, String range) {
        Map<String, Object> settings = AccountsApiTest.settings(true, 86_400, false, 600);
        settings.put("network_range", range);
        TestHttp.Response r = http.put("/api/accounts/" + account.accountId(), token, Map.of("settings", settings));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private void rename(String peer, String name, boolean ssh, boolean loginExpiration) {
        put("/api/peers/" + peer, Map.of("name", name, "ssh_enabled", ssh, "login_expiration_enabled",
                loginExpiration, "inactivity_expiration_enabled", !loginExpiration));
    }

    @Test
    void peersAsOfWithoutTheReadTablesAreThoseThroughThemByteForByte() {
        OtherAccount account = otherAccount();
        token = account.token();
        String suffix = unique("");
        String dev = createGroup(token, "dev" + suffix, List.of());
        String ops = createGroup(token, "Ops" + suffix, List.of());
        String gone = createGroup(token, "_gone" + suffix, List.of());
        CreatedKey key = createSetupKey(token, "reusable", 0, List.of(dev));
        List<Instant> instants = new ArrayList<>();
        String a = register(key.key(), "alpha" + suffix).peerId();
        instants.add(lastEventTime(account.accountId()));
        String b = register(key.key(), "Beta" + suffix).peerId();
        String c = register(key.key(), "beta" + suffix).peerId();
        String d = register(createSetupKey(token, "reusable", 0, List.of()).key(), "_delta" + suffix).peerId();
        instants.add(lastEventTime(account.accountId()));
        rename(a, "Zeta one" + suffix, true, false);
        rename(d, "zeta-One" + suffix, false, true);
        put("/api/groups/" + ops, Map.of("name", "ops" + suffix, "peers", List.of(b, c, d)));
        put("/api/groups/" + gone, Map.of("name", "_gone" + suffix, "peers", List.of(a, b)));
        instants.add(lastEventTime(account.accountId()));
        moveNetwork(account, "10.77.3.0/24");
        instants.add(lastEventTime(account.accountId()));
        assertThat(http.delete("/api/groups/" + gone, token).status()).isEqualTo(200);
        assertThat(http.delete("/api/peers/" + c, token).status()).isEqualTo(200);
        put("/api/groups/" + dev, Map.of("name", "Dev" + suffix, "peers", List.of(a, d)));
        instants.add(lastEventTime(account.accountId()));
        String plain = serviceUser("user").token();

        for (Instant at : instants) {
            long tableReads = readModel.readsStarted();
            List<String> withoutTables = List.of(list("", at, token), list("name=beta" + suffix + "&", at, token),
                    list("", at, plain));
            assertThat(readModel.readsStarted()).as("read tables built for peers lists as of %s", at)
                    .isEqualTo(tableReads);
            pointInTime.readTablesAlways(true);
            try {
                assertThat(withoutTables).as("as of %s", at).containsExactly(list("", at, token),
                        list("name=beta" + suffix + "&", at, token), list("", at, plain));
                assertThat(readModel.readsStarted()).isEqualTo(tableReads + 3);
            } finally {
                pointInTime.readTablesAlways(false);
            }
        }
        // the history shows in the answers: every peer then; at the end c gone and the renames
        assertThat(texts(http.get("/api/peers?as_of=" + instants.get(1), token).json(), "id"))
                .containsExactlyInAnyOrder(a, b, c, d);
        assertThat(texts(http.get("/api/peers?as_of=" + instants.get(4), token).json(), "name"))
                .containsExactlyInAnyOrder("Beta" + suffix, "Zeta one" + suffix, "zeta-One" + suffix);
        // the network move: addresses in the old range before it, in the new one from it on
        assertThat(texts(http.get("/api/peers?as_of=" + instants.get(2), token).json(), "ip"))
                .hasSize(4).noneMatch(ip -> ip.startsWith("10.77.3."));
        assertThat(texts(http.get("/api/peers?as_of=" + instants.get(3), token).json(), "ip"))
                .hasSize(4).allMatch(ip -> ip.startsWith("10.77.3."));
    }
}

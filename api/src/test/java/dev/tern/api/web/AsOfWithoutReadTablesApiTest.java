package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.history.PointInTime;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.query.history.ReadModelAt;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The as-of GETs answered without building the read tables as of the instant ({@code PointInTime#readMaps}):
 * {@code GET /api/peers/{id}/network-map?as_of=} from the state's maps and the account's events, {@code GET
 * /api/peers?as_of=} from the account's events folded. On histories with renames (names whose order depends on the
 * database's collation), SSH and expiry toggles, membership and policy changes, a group and a peer deleted, each
 * answer (status and body, byte for byte; 404s for peers not there then) equals the answer through the read tables,
 * for an admin and a plain user, and no read table is built for them.
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

package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.history.PointInTime;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.query.history.ReadModelCheckpoints;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code ?as_of=} answered from read-model checkpoints: on a history with peers, groups, a policy, a route, a
 * network, DNS and deletions, every GET and the network map answer the same from a checkpoint (exactly at it and
 * across it) as from the whole history, and as the live GETs answered then; a rebuild through the admin endpoint
 * drops the checkpoints.
 */
@TernIntegrationTest
class AsOfCheckpointsApiTest extends AsOfApiTestSupport {
    @Autowired
    ReadModelCheckpoints checkpoints;
    @Autowired
    PointInTime pointInTime;
    @Autowired
    JdbcTemplate jdbc;

    private Map<String, JsonNode> answers(List<String> paths, Instant at) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String path : paths) {
            TestHttp.Response r = http.get(path + (at == null ? "" : "?as_of=" + at), token);
            out.put(path, r.status() == 200 ? r.json() : null); // a resource deleted by then: 404 either way
        }
        return out;
    }

    /** The same as-of answers with the account's checkpoints out of sight (a different table shape is never used). */
    private Map<String, JsonNode> answersWithoutCheckpoints(String accountId, List<String> paths, Instant at) {
        jdbc.update("UPDATE as_of_checkpoint SET fingerprint = 'hidden-' || fingerprint WHERE account_id = ?",
                accountId);
        pointInTime.forgetNetworkMaps();
        try {
            assertThat(checkpoints.replayFor(accountId, at, true).orElseThrow().start()).isEmpty();
            return answers(paths, at);
        } finally {
            jdbc.update("UPDATE as_of_checkpoint SET fingerprint = substring(fingerprint from 8) WHERE account_id = ?",
                    accountId);
            pointInTime.forgetNetworkMaps();
        }
    }

    @Test
    void answersFromCheckpointsAreThoseOfTheWholeHistoryAndARebuildDropsThem() {
        OtherAccount account = otherAccount();
        token = account.token();
        String dev = createGroup(token, unique("dev"), List.of());
        String ops = createGroup(token, unique("ops"), List.of());
        CreatedKey key = createSetupKey(token, "reusable", 0, List.of(dev));
        String a = register(key.key(), unique("alpha")).peerId();
        String b = register(key.key(), unique("beta")).peerId();
        String c = register(key.key(), unique("gamma")).peerId();
        String policy = post("/api/policies", Map.of("name", unique("dev-ssh"), "enabled", true, "rules",
                List.of(rule("ssh", List.of(dev), List.of(dev), true, "tcp", List.of("22")))));
        String route = post("/api/routes", new HashMap<>(Map.of("description", "lab", "network_id", "lab",
                "enabled", true, "metric", 100, "masquerade", true, "groups", List.of(dev), "keep_route", false,
                "network", "10.20.0.0/24", "peer", a)));
        String network = post("/api/networks", Map.of("name", unique("site"), "description", "the site"));
        post("/api/networks/" + network + "/resources", Map.of("name", "lab", "address", "10.30.0.0/24",
                "enabled", true, "groups", List.of(dev)));
        post("/api/networks/" + network + "/routers", Map.of("peer", b, "metric", 100, "masquerade", true,
                "enabled", true));
        String zoneDomain = unique("office") + ".example";
        String zone = post("/api/dns/zones", Map.of("name", "office", "domain", zoneDomain,
                "enable_search_domain", false, "distribution_groups", List.of(dev)));
        String record = post("/api/dns/zones/" + zone + "/records", Map.of("name", "printer." + zoneDomain,
                "type", "A", "content", "10.30.0.9", "ttl", 300));
        List<String> paths = List.of("/api/peers", "/api/peers/" + a, "/api/peers/" + c,
                "/api/peers/" + a + "/accessible-peers", "/api/peers/" + a + "/network-map",
                "/api/peers/" + b + "/network-map", "/api/groups", "/api/groups/" + dev, "/api/policies",
                "/api/setup-keys", "/api/setup-keys/" + key.id(), "/api/users", "/api/routes",
                "/api/networks/" + network + "/routers", "/api/dns/zones/" + zone + "/records", "/api/accounts");
        Instant t1 = lastEventTime(account.accountId());
        Map<String, JsonNode> beforeAnyCheckpoint = answers(paths, t1);
        assertThat(checkpoints.of(account.accountId())).isEmpty();
        ReadModelCheckpoints.Checkpoint first = checkpoints.take(account.accountId(), 10).orElseThrow();

        // then: renames, a member leaves, the policy is disabled, a route, key, record and peer deleted
        put("/api/groups/" + dev, Map.of("name", unique("developers"), "peers", List.of(a, c)));
        Instant across = lastEventTime(account.accountId());
        put("/api/policies/" + policy, Map.of("name", unique("dev-ssh-off"), "enabled", false, "rules",
                List.of(rule("ssh", List.of(dev), List.of(dev), true, "tcp", List.of("22")))));
        assertThat(http.delete("/api/routes/" + route, token).status()).isEqualTo(200);
        assertThat(http.delete("/api/setup-keys/" + key.id(), token).status()).isEqualTo(200);
        assertThat(http.delete("/api/dns/zones/" + zone + "/records/" + record, token).status()).isEqualTo(200);
        assertThat(http.delete("/api/peers/" + c, token).status()).isEqualTo(200);
        createGroup(token, unique("later"), List.of(b));
        Instant t2 = lastEventTime(account.accountId());
        Map<String, JsonNode> liveAtT2 = answers(paths, null);
        ReadModelCheckpoints.Checkpoint second = checkpoints.take(account.accountId(), 10).orElseThrow();
        put("/api/groups/" + ops, Map.of("name", unique("ops-later"), "peers", List.of(a)));

        // exactly at a checkpoint, across one, at the next: the same answers as from the first event
        assertThat(checkpoints.replayFor(account.accountId(), t1, true).orElseThrow().start()).contains(first);
        assertThat(checkpoints.replayFor(account.accountId(), across, true).orElseThrow().start()).contains(first);
        assertThat(checkpoints.replayFor(account.accountId(), t2, true).orElseThrow().start()).contains(second);
        assertThat(answers(paths, t1)).isEqualTo(beforeAnyCheckpoint);
        for (Instant at : List.of(t1, across, t2)) {
            assertThat(answers(paths, at)).as("as of %s", at)
                    .isEqualTo(answersWithoutCheckpoints(account.accountId(), paths, at));
        }
        // and what the live reads answered then (network maps aside: their serials count differently, AsOfApiTest)
        Map<String, JsonNode> atT2 = answers(paths, t2);
        paths.stream().filter(path -> !path.endsWith("/network-map")).forEach(path ->
                assertThat(atT2.get(path)).as(path).isEqualTo(liveAtT2.get(path)));
        assertThat(atT2.get("/api/peers/" + c)).isNull();
        assertThat(beforeAnyCheckpoint.get("/api/peers/" + c)).isNotNull();

        TestHttp.Response rebuild = http.post("/api/admin/read-models/rebuild", admin(), null);
        assertThat(rebuild.status()).as(rebuild.toString()).isEqualTo(202);
        String job = rebuild.json().get("id").asText();
        await().atMost(Duration.ofSeconds(120)).until(() -> !"running".equals(
                http.get("/api/admin/read-models/rebuild/" + job, admin()).json().get("state").asText()));
        assertThat(http.get("/api/admin/read-models/rebuild/" + job, admin()).json().get("state").asText())
                .isEqualTo("done");
        assertThat(checkpoints.of(account.accountId())).isEmpty();
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        assertThat(answers(paths, t1)).isEqualTo(beforeAnyCheckpoint);
    }

    @Test
    void networkMapsAdvancedFromAnEarlierStateAreThoseOfTheWholeHistory() {
        OtherAccount account = otherAccount();
        token = account.token();
        String dev = createGroup(token, unique("dev"), List.of());
        CreatedKey key = createSetupKey(token, "reusable", 0, List.of(dev));
        String a = register(key.key(), unique("alpha")).peerId();
        List<Instant> instants = new java.util.ArrayList<>(List.of(lastEventTime(account.accountId())));
        String b = register(key.key(), unique("beta")).peerId();
        instants.add(lastEventTime(account.accountId()));
        String policy = post("/api/policies", Map.of("name", unique("dev-ssh"), "enabled", true, "rules",
                List.of(rule("ssh", List.of(dev), List.of(dev), true, "tcp", List.of("22")))));
        instants.add(lastEventTime(account.accountId()));
        String c = register(key.key(), unique("gamma")).peerId();
        instants.add(lastEventTime(account.accountId()));
        put("/api/groups/" + dev, Map.of("name", unique("developers"), "peers", List.of(a, c)));
        instants.add(lastEventTime(account.accountId()));
        put("/api/policies/" + policy, Map.of("name", unique("dev-ssh-off"), "enabled", false, "rules",
                List.of(rule("ssh", List.of(dev), List.of(dev), true, "tcp", List.of("22")))));
        instants.add(lastEventTime(account.accountId()));
        assertThat(http.delete("/api/peers/" + c, token).status()).isEqualTo(200);
        instants.add(lastEventTime(account.accountId()));
        List<String> paths = List.of("/api/peers", "/api/peers/" + a + "/accessible-peers",
                "/api/peers/" + a + "/network-map", "/api/peers/" + b + "/network-map",
                "/api/peers/" + c + "/network-map", "/api/peers/" + a + "/access/" + b);

        // oldest first: each state's maps are the previous state's advanced by the events between them
        pointInTime.forgetNetworkMaps();
        Map<Instant, Map<String, JsonNode>> advanced = new LinkedHashMap<>();
        instants.forEach(at -> advanced.put(at, answers(paths, at)));
        for (Instant at : instants) {
            pointInTime.forgetNetworkMaps();
            assertThat(advanced.get(at)).as("as of %s", at).isEqualTo(answers(paths, at));
        }
        assertThat(advanced.get(instants.get(4)).get("/api/peers/" + a + "/network-map").get("serial").asLong())
                .as("the state's last event, as if replayed in one batch")
                .isEqualTo(events.upTo(account.accountId(), instants.get(4)).orElseThrow().lastSequence());
    }
}

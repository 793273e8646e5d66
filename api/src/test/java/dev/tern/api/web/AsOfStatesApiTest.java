package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.history.PeerTimeline;
import dev.tern.api.history.PointInTime;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The states an as-of read keeps: network maps advanced from an earlier state's and timelines fed only the events
 * since (the server keeps the most recent states' maps, folded read models and timelines) answer exactly what maps
 * and timelines worked out from the first event do, also for an instant before one asked earlier.
 */
@TernIntegrationTest
class AsOfStatesApiTest extends AsOfApiTestSupport {
    @Autowired
    PointInTime pointInTime;
    @Autowired
    PeerTimeline timelines;

    /** Every state's maps, folds and timelines forgotten: the next read works each out from the first event. */
    private void forgetStates() {
        pointInTime.forgetNetworkMaps();
        timelines.forget();
    }

    private Map<String, JsonNode> answers(List<String> paths, Instant at) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String path : paths) {
            TestHttp.Response r = http.get(path + (at == null ? "" : "?as_of=" + at), token);
            out.put(path, r.status() == 200 ? r.json() : null); // a resource deleted by then: 404 either way
        }
        return out;
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
                "/api/peers/" + c + "/network-map", "/api/peers/" + a + "/access/" + b,
                "/api/peers/" + a + "/timeline", "/api/peers/" + c + "/timeline");

        // oldest first: each state's maps are the previous state's advanced by the events between them
        forgetStates();
        Map<Instant, Map<String, JsonNode>> advanced = new LinkedHashMap<>();
        instants.forEach(at -> advanced.put(at, answers(paths, at)));
        for (Instant at : instants) {
            forgetStates();
            assertThat(advanced.get(at)).as("as of %s", at).isEqualTo(answers(paths, at));
        }
        // newest first: an earlier instant's timeline is the kept one cut there
        forgetStates();
        for (int i = instants.size() - 1; i >= 0; i--) {
            assertThat(answers(paths, instants.get(i))).as("newest first, as of %s", instants.get(i))
                    .isEqualTo(advanced.get(instants.get(i)));
        }
        assertThat(advanced.get(instants.get(4)).get("/api/peers/" + a + "/timeline").size())
                .as("a's reach changed with b, the policy, c and the membership")
                .isGreaterThan(advanced.get(instants.get(0)).get("/api/peers/" + a + "/timeline").size());
        assertThat(advanced.get(instants.get(4)).get("/api/peers/" + a + "/network-map").get("serial").asLong())
                .as("the state's last event, as if replayed in one batch")
                .isEqualTo(events.upTo(account.accountId(), instants.get(4)).orElseThrow().lastSequence());
    }
}

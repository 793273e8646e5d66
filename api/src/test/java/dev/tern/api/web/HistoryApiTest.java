package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.events.commands.PeerRegistration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tern extension GET /api/history/network: the network as it stood at a past instant, from the event store. */
@TernIntegrationTest
class HistoryApiTest extends ApiTestSupport {

    @Test
    void theNetworkAtAPastInstantShowsWhatWasTrueThenAndNotWhatIsTrueNow() throws Exception {
        String token = admin();
        String oldName = unique("history-dev");
        String group = createGroup(oldName);
        CreatedKey key = createSetupKey("reusable", 0, List.of(group));
        PeerRegistration peer = register(key.key(), unique("history-host"));
        Thread.sleep(20);
        Instant before = Instant.now();
        Thread.sleep(20);

        String newName = unique("history-prod");
        assertThat(http.put("/api/groups/" + group, token, Map.of("name", newName, "peers", List.of())).status())
                .isEqualTo(200);
        assertThat(http.delete("/api/peers/" + peer.peerId(), token).status()).isEqualTo(200);

        JsonNode then = http.get("/api/history/network?at=" + before, token).json();
        assertThat(Instant.parse(then.get("at").asText())).isEqualTo(before);
        JsonNode groupThen = find(then.get("groups"), group);
        assertThat(groupThen.get("name").asText()).isEqualTo(oldName);
        assertThat(ids(groupThen.get("peers"))).containsExactly(peer.peerId());
        JsonNode peerThen = find(then.get("peers"), peer.peerId());
        assertThat(peerThen.get("ip").asText()).isEqualTo(peer.ip().address());
        assertThat(peerThen.get("connected").asBoolean()).isFalse();

        JsonNode now = http.get("/api/history/network?at=" + Instant.now(), token).json();
        assertThat(find(now.get("groups"), group).get("name").asText()).isEqualTo(newName);
        assertThat(ids(now.get("peers"))).doesNotContain(peer.peerId());
        // The live read model agrees with history at "now".
        assertThat(http.get("/api/groups/" + group, token).json().get("name").asText()).isEqualTo(newName);
    }

    @Test
    void askingBadQuestionsOfHistoryGetsClearErrors() {
        String token = admin();
        assertError(http.get("/api/history/network", token), 400);
        assertError(http.get("/api/history/network?at=last-tuesday", token), 400);
        assertError(http.get("/api/history/network?at=1970-01-01T00:00:00Z", token), 404);
        assertError(http.get("/api/history/network?at=" + Instant.now(), serviceUser("user").token()), 403);
        assertThat(http.get("/api/history/network?at=" + Instant.now(), serviceUser("auditor").token()).status())
                .isEqualTo(200);
        assertError(http.get("/api/history/network?at=" + Instant.now(), null), 401);
    }

    private static JsonNode find(JsonNode array, String id) {
        for (JsonNode n : array) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError(id + " not in " + array);
    }

    private static List<String> ids(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get("id").asText()));
        return out;
    }
}

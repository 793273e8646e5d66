package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.RemotePeer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Who may reach whom over REST, in an account of its own per test: peers a and b in dev, c in prod, d in no
 * group. The semantics are NetBird's GetPeerConnectionResources: a peer in a rule's sources sees its
 * destinations and the other way round, whatever {@code bidirectional} says (direction only shapes firewall
 * rules). The answer is the network projector's, the map devices receive.
 */
@TernIntegrationTest
class AccessiblePeersApiTest extends ApiTestSupport {
    @Autowired
    NetworkMapProjector projector;

    OtherAccount account;
    String all;
    String dev;
    String prod;
    /** Peer name (a, b, c, d) to peer id. */
    final Map<String, String> peers = new HashMap<>();

    @BeforeEach
    void accountWithFourPeers() {
        admin(); // the shared server's /api/setup must run before any other account (and user) exists
        account = otherAccount();
        for (JsonNode group : http.get("/api/groups", account.token()).json()) {
            if (group.get("name").asText().equals("All")) {
                all = group.get("id").asText();
            }
        }
        assertThat(all).isNotNull();
        dev = createGroup(account.token(), "dev", List.of());
        prod = createGroup(account.token(), "prod", List.of());
        peers.put("a", register(setupKey(List.of(dev)), unique("a")).peerId());
        peers.put("b", register(setupKey(List.of(dev)), unique("b")).peerId());
        peers.put("c", register(setupKey(List.of(prod)), unique("c")).peerId());
        peers.put("d", register(setupKey(List.of()), unique("d")).peerId());
    }

    String setupKey(List<String> autoGroups) {
        TestHttp.Response r = http.post("/api/setup-keys", account.token(), Map.of("name", unique("key"),
                "type", "one-off", "expires_in", 86400, "auto_groups", autoGroups, "usage_limit", 0));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("key").asText();
    }

    String policy(boolean enabled, String source, String destination, boolean bidirectional, String action,
                  boolean ruleEnabled) {
        Map<String, Object> rule = Map.of("name", "r", "enabled", ruleEnabled, "action", action, "bidirectional",
                bidirectional, "protocol", "tcp", "ports", List.of("22"), "sources", List.of(source),
                "destinations", List.of(destination));
        TestHttp.Response r = http.post("/api/policies", account.token(), Map.of("name", unique("p"),
                "enabled", enabled, "rules", List.of(rule)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    void deletePolicy(String id) {
        assertThat(http.delete("/api/policies/" + id, account.token()).status()).isEqualTo(200);
    }

    /** The names of the peers the REST API says {@code name} can reach or be reached from. */
    List<String> accessible(String name) {
        TestHttp.Response r = http.get("/api/peers/" + peers.get(name) + "/accessible-peers", account.token());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return texts(r.json(), "id").stream().map(this::nameOf).toList();
    }

    String nameOf(String peerId) {
        return peers.entrySet().stream().filter(e -> e.getValue().equals(peerId)).map(Map.Entry::getKey)
                .findFirst().orElse("foreign peer " + peerId);
    }

    /** accessible_peers_count of every peer, by name, from the peer list. */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode p : http.get("/api/peers", account.token()).json()) {
            counts.put(nameOf(p.get("id").asText()), p.get("accessible_peers_count").asInt());
        }
        return counts;
    }

    @Test
    void noPolicyNoPeers() {
        for (String name : List.of("a", "b", "c", "d")) {
            assertThat(accessible(name)).as(name).isEmpty();
        }
        assertThat(counts()).containsOnlyKeys("a", "b", "c", "d").allSatisfy((name, count) ->
                assertThat(count).as(name).isZero());
    }

    @Test
    void membersOfAGroupLinkedToItselfSeeEachOtherButNotThemselves() {
        policy(true, dev, dev, true, "accept", true);
        assertThat(accessible("a")).containsExactly("b");
        assertThat(accessible("b")).containsExactly("a");
        assertThat(accessible("c")).isEmpty();
        assertThat(accessible("d")).isEmpty();
    }

    @Test
    void oneWayRulesPutBothEndsInEachOthersMapAsNetBirdDoes() {
        policy(true, dev, prod, false, "accept", true);
        assertThat(accessible("a")).containsExactly("c");
        assertThat(accessible("c")).containsExactlyInAnyOrder("a", "b");
        assertThat(accessible("d")).isEmpty();
    }

    @Test
    void allGroupHoldsEveryPeer() {
        policy(true, all, all, true, "accept", true);
        assertThat(accessible("d")).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(counts()).containsEntry("a", 3).containsEntry("d", 3);
    }

    @Test
    void disabledPoliciesDisabledRulesAndDropRulesGrantNothing() {
        deletePolicy(policy(false, dev, prod, true, "accept", true));
        String disabledRule = policy(true, dev, prod, true, "accept", false);
        String drop = policy(true, dev, prod, true, "drop", true);
        assertThat(accessible("a")).isEmpty();
        assertThat(accessible("c")).isEmpty();
        deletePolicy(disabledRule);
        deletePolicy(drop);
        policy(false, dev, prod, true, "accept", true);
        assertThat(accessible("a")).isEmpty();
    }

    @Test
    void countsMatchTheSinglePeerAnswersAndTheMapDevicesReceive() {
        policy(true, dev, dev, true, "accept", true);
        policy(true, dev, prod, false, "accept", true);
        policy(true, prod, all, true, "drop", true);
        assertThat(counts()).containsOnly(Map.entry("a", 2), Map.entry("b", 2), Map.entry("c", 2),
                Map.entry("d", 0));
        for (String name : List.of("a", "b", "c", "d")) {
            List<String> fromProjector = projector.accessiblePeers(account.accountId(), peers.get(name)).stream()
                    .map(RemotePeer::peerId).map(this::nameOf).toList();
            assertThat(accessible(name)).as(name).containsExactlyElementsOf(fromProjector);
        }
    }

    @Test
    void aGetRightAfterEachWriteSeesIt() {
        String devDev = policy(true, dev, dev, true, "accept", true);
        assertThat(accessible("a")).containsExactly("b");
        TestHttp.Response moved = http.put("/api/groups/" + prod, account.token(), Map.of("name", "prod",
                "peers", List.of(peers.get("c"), peers.get("d"))));
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        policy(true, prod, dev, false, "accept", true);
        assertThat(accessible("d")).containsExactlyInAnyOrder("a", "b");
        assertThat(counts()).containsEntry("d", 2).containsEntry("a", 3);
        deletePolicy(devDev);
        assertThat(accessible("a")).containsExactlyInAnyOrder("c", "d");
        assertThat(http.delete("/api/peers/" + peers.get("c"), account.token()).status()).isEqualTo(200);
        assertThat(accessible("a")).containsExactly("d");
        assertThat(counts()).doesNotContainKey("c").containsEntry("a", 1);
    }

    @Test
    void peersOfAnotherAccountAreNotFound() {
        policy(true, all, all, true, "accept", true);
        TestHttp.Response r = http.get("/api/peers/" + peers.get("a") + "/accessible-peers", admin());
        assertError(r, 404);
        assertThat(texts(http.get("/api/peers/" + peers.get("a") + "/accessible-peers", account.token()).json(),
                "id")).allSatisfy(id -> assertThat(peers).containsValue(id));
    }
}

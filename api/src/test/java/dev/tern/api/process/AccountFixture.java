package dev.tern.api.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TestHttp;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.RemotePeerConfig;
import java.util.List;
import java.util.Map;

/** What the process-level fault tests set up through REST on a fresh tern-server: owner, policy, setup key. */
final class AccountFixture {
    private AccountFixture() {
    }

    /** The owner's token, from {@code POST /api/setup}. */
    static String owner(TestHttp http, String email) {
        TestHttp.Response setup = http.post("/api/setup", null, TestHttp.setupRequest(email));
        assertThat(setup.status()).as("%s", setup).isEqualTo(200);
        return TestHttp.patFrom(setup);
    }

    /** A policy All ↔ All, so every peer's map holds every other peer. */
    static void everyoneReachesEveryone(TestHttp http, String token) {
        String all = null;
        for (JsonNode group : http.get("/api/groups", token).json()) {
            if (group.get("name").asText().equals("All")) {
                all = group.get("id").asText();
            }
        }
        assertThat(all).as("the All group").isNotNull();
        TestHttp.Response policy = http.post("/api/policies", token, Map.of("name", "all-all", "enabled", true,
                "rules", List.of(Map.of("name", "all-all", "enabled", true, "action", "accept",
                        "bidirectional", true, "protocol", "all", "sources", List.of(all),
                        "destinations", List.of(all)))));
        assertThat(policy.status()).as("%s", policy).isEqualTo(200);
    }

    /** A setup key's JSON ({@code key} is the plain key). */
    static JsonNode setupKey(TestHttp http, String token, String type, int usageLimit) {
        TestHttp.Response key = http.post("/api/setup-keys", token, Map.of("name", "key-" + System.nanoTime(),
                "type", type, "expires_in", 86400, "auto_groups", List.of(), "usage_limit", usageLimit));
        assertThat(key.status()).as("%s", key).isEqualTo(200);
        return key.json();
    }

    static List<String> remoteKeys(NetworkMap map) {
        return map.getRemotePeersList().stream().map(RemotePeerConfig::getWgPubKey).toList();
    }
}

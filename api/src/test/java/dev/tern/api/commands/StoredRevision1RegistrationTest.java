package dev.tern.api.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.api.web.ApiTestSupport;
import dev.tern.command.CommandSideConfiguration;
import dev.tern.events.PeerRegistered;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.values.Ids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.axonframework.common.caching.Cache;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A peer registered before PeerRegistered revision 2, as the store holds it (the old serializer's JSON, the
 * fixture query-side's upcaster test uses), through the account aggregate (it can group and rename the peer), the
 * read model (REST shows it) and the network maps (another peer's map reaches it).
 */
@TernIntegrationTest
class StoredRevision1RegistrationTest extends ApiTestSupport {
    private static final Path FIXTURE = Path.of("..", "query-side", "src", "test", "resources", "events",
            "PeerRegistered-revision-1.json");

    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    @Qualifier(CommandSideConfiguration.ACCOUNT_CACHE)
    Cache accounts;

    @Test
    void anOldRegistrationIsAPeerOfTheAggregateTheReadModelAndTheMaps() throws IOException {
        OtherAccount account = otherAccount();
        TestHttp.Response key = http.post("/api/setup-keys", account.token(), Map.of("name", unique("k"),
                "type", "reusable", "expires_in", 86400, "auto_groups", List.of(), "usage_limit", 5));
        assertThat(key.status()).as(key.toString()).isEqualTo(200);
        PeerRegistration fresh = register(key.json().get("key").asText(), unique("fresh"));

        String oldPeer = Ids.newId();
        byte[] wgKey = new byte[32];
        new SecureRandom().nextBytes(wgKey);
        String payload = new String(Files.readAllBytes(FIXTURE), StandardCharsets.UTF_8).strip()
                .replace("\"acc-1\"", "\"" + account.accountId() + "\"").replace("\"peer-1\"", "\"" + oldPeer + "\"")
                .replace("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", Base64.getEncoder().encodeToString(wgKey))
                .replace("\"100.71.0.9\"", "\"100.100.0.200\"")
                .replace("\"dnsLabel\":\"laptop\"", "\"dnsLabel\":\"old-laptop\"")
                .replace("\"key-1\"", "\"" + key.json().get("id").asText() + "\"");
        jdbc.update("""
                INSERT INTO domain_event_entry (event_identifier, aggregate_identifier, sequence_number, type,
                                                time_stamp, payload_type, payload_revision, payload, meta_data)
                SELECT ?, aggregate_identifier, sequence_number + 1, type, ?, ?, NULL, ?, meta_data
                FROM domain_event_entry WHERE aggregate_identifier = ? ORDER BY sequence_number DESC LIMIT 1""",
                Ids.newId(), "2026-03-01T10:00:00Z", PeerRegistered.class.getName(),
                payload.getBytes(StandardCharsets.UTF_8), account.accountId());
        // The account in memory predates the row written behind its back; the next command loads it from the store.
        accounts.removeAll();

        TestHttp.Response group = http.post("/api/groups", account.token(), Map.of("name", unique("both"),
                "peers", List.of(oldPeer, fresh.peerId())));
        assertThat(group.status()).as("the aggregate knows the old peer: %s", group).isEqualTo(200);
        String groupId = group.json().get("id").asText();
        TestHttp.Response policy = http.post("/api/policies", account.token(), Map.of("name", unique("p"),
                "enabled", true, "rules", List.of(rule("r", List.of(groupId), List.of(groupId), true, "all",
                        List.of()))));
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);

        TestHttp.Response old = http.get("/api/peers/" + oldPeer, account.token());
        assertThat(old.status()).as(old.toString()).isEqualTo(200);
        assertThat(old.json().get("dns_label").asText()).startsWith("old-laptop");
        assertThat(old.json().get("extra_dns_labels")).isEmpty();
        TestHttp.Response reachable = http.get("/api/peers/" + fresh.peerId() + "/accessible-peers",
                account.token());
        assertThat(reachable.status()).as(reachable.toString()).isEqualTo(200);
        assertThat(texts(reachable.json(), "id")).as("the fresh peer's map").contains(oldPeer);
    }
}

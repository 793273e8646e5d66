package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.auth.PersonalAccessTokens;
import dev.tern.api.commands.PeerRegistrationService;
import dev.tern.api.support.TestHttp;
import dev.tern.events.commands.CreateAccount;
import dev.tern.events.commands.CreatePersonalAccessToken;
import dev.tern.events.commands.PeerRegistration;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.Ids;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import dev.tern.query.ReadYourWrites;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.messaging.MetaData;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What the REST integration tests share: the admin token of the one shared server, unique names (the database is
 * shared by every test class), quick creators, audit totals, and a second account made directly through the
 * command gateway. Public (with protected helpers) for the integration tests of other packages, e.g. the expiry
 * sweeper's.
 */
public abstract class ApiTestSupport {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();

    @Autowired
    protected TestHttp http;
    @Autowired
    protected PeerRegistrationService registrations;
    @Autowired
    protected CommandGateway gateway;
    @Autowired
    protected ReadYourWrites readYourWrites;

    protected String admin() {
        return http.adminToken();
    }

    protected static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }

    protected String createGroup(String token, String name, List<String> peers) {
        TestHttp.Response r = http.post("/api/groups", token, Map.of("name", name, "peers", peers));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    String createGroup(String name) {
        return createGroup(admin(), name, List.of());
    }

    /** The plain key and the created key's JSON. */
    protected record CreatedKey(String key, String id, JsonNode json) {
    }

    protected CreatedKey createSetupKey(String type, int usageLimit, List<String> autoGroups) {
        return createSetupKey(admin(), type, usageLimit, autoGroups);
    }

    /** A setup key of the token's account. */
    protected CreatedKey createSetupKey(String token, String type, int usageLimit, List<String> autoGroups) {
        TestHttp.Response r = http.post("/api/setup-keys", token, Map.of("name", unique("key"), "type", type,
                "expires_in", 86400, "auto_groups", autoGroups, "usage_limit", usageLimit));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return new CreatedKey(r.json().get("key").asText(), r.json().get("id").asText(), r.json());
    }

    protected static Map<String, Object> rule(String name, List<String> sources, List<String> destinations,
                                    boolean bidirectional, String protocol, List<String> ports) {
        return Map.of("name", name, "enabled", true, "action", "accept", "bidirectional", bidirectional,
                "protocol", protocol, "ports", ports, "sources", sources, "destinations", destinations);
    }

    String createPolicy(String name, List<String> sources, List<String> destinations) {
        TestHttp.Response r = http.post("/api/policies", admin(), Map.of("name", name, "enabled", true,
                "rules", List.of(rule(name + "-rule", sources, destinations, true, "all", List.of()))));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    static WireGuardKey randomWireGuardKey() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return WireGuardKey.of(raw);
    }

    protected PeerRegistration register(String setupKey, String hostname) {
        return registrations.register(setupKey, randomWireGuardKey(), PeerSystemMeta.ofHostname(hostname));
    }

    /** The number of audit entries the token's account has (read from X-Total-Count). */
    protected long auditTotal(String token) {
        TestHttp.Response r = http.get("/api/events/audit?page_size=1", token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return Long.parseLong(r.headers().get(AuditController.TOTAL_HEADER.toLowerCase()).get(0));
    }

    /** A service user with this role in the admin's account, and a PAT for it. */
    protected record RoleUser(String userId, String token) {
    }

    protected RoleUser serviceUser(String role) {
        TestHttp.Response user = http.post("/api/users", admin(), Map.of("name", unique(role), "role", role,
                "auto_groups", List.of(), "is_service_user", true));
        assertThat(user.status()).as(user.toString()).isEqualTo(200);
        String userId = user.json().get("id").asText();
        TestHttp.Response token = http.post("/api/users/" + userId + "/tokens", admin(),
                Map.of("name", "t", "expires_in", 1));
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        return new RoleUser(userId, token.json().get("plain_token").asText());
    }

    /** Another tenant, created directly through the command gateway, with its owner's PAT. */
    protected record OtherAccount(String accountId, String ownerId, String token) {
    }

    protected OtherAccount otherAccount() {
        admin(); // POST /api/setup works only while no user exists: the shared owner must come first
        String accountId = Ids.newId();
        String ownerId = Ids.newId();
        MetaData system = MetaData.from(Actor.SYSTEM.toMetadata());
        gateway.sendAndWait(GenericCommandMessage.asCommandMessage(new CreateAccount(accountId,
                new Cidr("100.100.0.0", 16), "other.internal", ownerId, unique("o") + "@other.test", "Other Owner",
                Ids.newId())).andMetaData(system));
        PersonalAccessTokens.Minted minted = PersonalAccessTokens.mint();
        gateway.sendAndWait(GenericCommandMessage.asCommandMessage(new CreatePersonalAccessToken(accountId,
                Ids.newId(), ownerId, "other", minted.hash(), Instant.now().plus(Duration.ofDays(1)), ownerId))
                .andMetaData(system));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();
        return new OtherAccount(accountId, ownerId, minted.plainToken());
    }

    protected static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    protected static void assertError(TestHttp.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.json().get("code").asInt()).as(r.toString()).isEqualTo(status);
        assertThat(r.errorMessage()).as(r.toString()).isNotBlank();
        if (status == 404) {
            // NetBird's Terraform provider tells "gone, recreate it" from other failures by this text.
            assertThat(r.errorMessage()).as(r.toString()).contains("not found");
        }
    }
}

package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * {@code /api/accounts}. Settings are changed only in accounts of their own ({@link #otherAccount()}), never in
 * the admin's account that every test class shares.
 */
@TernIntegrationTest
class AccountsApiTest extends ApiTestSupport {
    @Autowired
    JdbcTemplate jdbc;

    /** A valid PUT body: Tern's four settings plus the fixed ones, as a client that read the account sends them. */
    static Map<String, Object> settings(boolean loginEnabled, long login, boolean inactivityEnabled, long inactivity) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("peer_login_expiration_enabled", loginEnabled);
        settings.put("peer_login_expiration", login);
        settings.put("peer_inactivity_expiration_enabled", inactivityEnabled);
        settings.put("peer_inactivity_expiration", inactivity);
        settings.put("regular_users_view_blocked", false);
        settings.put("peer_expose_enabled", false);
        settings.put("peer_expose_groups", List.of());
        return settings;
    }

    @Test
    void getListsTheCallersOneAccountInNetBirdsShape() {
        JsonNode me = http.get("/api/users/current", admin()).json();
        String accountId = jdbc.queryForObject("SELECT account_id FROM rm_users WHERE id = ?", String.class,
                me.get("id").asText());

        TestHttp.Response r = http.get("/api/accounts", admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().isArray()).isTrue();
        assertThat(r.json().size()).isEqualTo(1);
        JsonNode account = r.json().get(0);
        assertThat(account.get("id").asText()).isEqualTo(accountId);
        assertThat(account.get("domain").asText()).isEqualTo("tern.test"); // the owner is owner@tern.test
        assertThat(account.get("domain_category").asText()).isEqualTo("private");
        assertThat(account.get("created_by").asText()).isEqualTo(me.get("id").asText());
        assertThat(account.get("created_at").asText()).endsWith("Z");
        assertThat(account.get("onboarding").get("signup_form_pending").asBoolean()).isFalse();
        assertThat(account.get("onboarding").get("onboarding_flow_pending").asBoolean()).isFalse();
        JsonNode settings = account.get("settings");
        for (String required : List.of("peer_login_expiration_enabled", "peer_login_expiration",
                "peer_inactivity_expiration_enabled", "peer_inactivity_expiration", "regular_users_view_blocked",
                "peer_expose_enabled", "peer_expose_groups")) {
            assertThat(settings.has(required)).as(required).isTrue();
        }
        assertThat(settings.get("peer_login_expiration").isIntegralNumber()).isTrue();
        assertThat(settings.get("regular_users_view_blocked").asBoolean()).isFalse();
        assertThat(settings.get("peer_expose_enabled").asBoolean()).isFalse();
        assertThat(settings.get("peer_expose_groups").size()).isZero();
        assertThat(settings.get("dns_domain").asText()).isEqualTo("tern.internal");
        assertThat(settings.get("network_range").asText()).endsWith("/16");
    }

    @Test
    void aNewAccountHasNetBirdsDefaults() {
        OtherAccount other = otherAccount();
        JsonNode account = http.get("/api/accounts", other.token()).json().get(0);
        assertThat(account.get("id").asText()).isEqualTo(other.accountId());
        assertThat(account.get("created_by").asText()).isEqualTo(other.ownerId());
        assertThat(account.get("domain").asText()).isEqualTo("other.test");
        JsonNode settings = account.get("settings");
        assertThat(settings.get("peer_login_expiration_enabled").asBoolean()).isTrue();
        assertThat(settings.get("peer_login_expiration").asLong()).isEqualTo(86_400);
        assertThat(settings.get("peer_inactivity_expiration_enabled").asBoolean()).isFalse();
        assertThat(settings.get("peer_inactivity_expiration").asLong()).isEqualTo(600);
        assertThat(settings.get("dns_domain").asText()).isEqualTo("other.internal");
        assertThat(settings.get("network_range").asText()).isEqualTo("100.100.0.0/16");
    }

    @Test
    void putChangesTheSettingsAuditsEachChangeAndAnswersTheAccount() {
        OtherAccount other = otherAccount();
        Map<String, Object> wanted = settings(false, 7200, true, 600);
        // What a client that read the account sends back, plus settings Tern does not know (ignored).
        wanted.put("dns_domain", "other.internal.");
        wanted.put("network_range", "100.100.0.0/16");
        wanted.put("groups_propagation_enabled", true);
        wanted.put("extra", Map.of("peer_approval_enabled", false));
        long auditBefore = auditTotal(other.token());

        TestHttp.Response r = http.put("/api/accounts/" + other.accountId(), other.token(),
                Map.of("settings", wanted, "onboarding", Map.of("signup_form_pending", true)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode answered = r.json().get("settings");
        assertThat(answered.get("peer_login_expiration_enabled").asBoolean()).isFalse();
        assertThat(answered.get("peer_login_expiration").asLong()).isEqualTo(7200);
        assertThat(answered.get("peer_inactivity_expiration_enabled").asBoolean()).isTrue();
        assertThat(answered.get("peer_inactivity_expiration").asLong()).isEqualTo(600);
        assertThat(r.json().get("onboarding").get("signup_form_pending").asBoolean()).isFalse();
        assertThat(http.get("/api/accounts", other.token()).json().get(0).get("settings")).isEqualTo(answered);

        JsonNode audit = http.get("/api/events/audit?target_id=" + other.accountId(), other.token()).json();
        List<String> codes = texts(audit, "activity_code");
        assertThat(codes).startsWith("account.peer.inactivity.expiration.enable",
                "account.setting.peer.login.expiration.update", "account.setting.peer.login.expiration.disable");
        assertThat(audit.get(1).get("meta").get("old").asText()).isEqualTo("86400");
        assertThat(audit.get(1).get("meta").get("new").asText()).isEqualTo("7200");
        assertThat(audit.get(0).get("initiator_id").asText()).isEqualTo(other.ownerId());
        assertThat(auditTotal(other.token())).isEqualTo(auditBefore + 3);

        // The same settings again change nothing and record nothing.
        assertThat(http.put("/api/accounts/" + other.accountId(), other.token(), Map.of("settings", wanted))
                .status()).isEqualTo(200);
        assertThat(auditTotal(other.token())).isEqualTo(auditBefore + 3);
    }

    @Test
    void badSettingsAreRefusedWithA400AndLeaveNoEvent() {
        OtherAccount other = otherAccount();
        String path = "/api/accounts/" + other.accountId();
        long auditBefore = auditTotal(other.token());
        // the 400's message must name what is wrong
        List<Map.Entry<String, Map<String, Object>>> refused = List.of(
                Map.entry("settings.dns_domain cannot be changed", with("dns_domain", "evil.example")),
                Map.entry("settings.network_range: network range 10.0.0.0/8 must be a /16 to a /28",
                        with("network_range", "10.0.0.0/8")),
                Map.entry("settings.network_range: network range 10.0.0.0/29 must be a /16 to a /28",
                        with("network_range", "10.0.0.0/29")),
                Map.entry("settings.network_range: network range 8.8.0.0/16 must lie inside a private range",
                        with("network_range", "8.8.0.0/16")),
                Map.entry("settings.network_range: network range 169.254.0.0/16 must lie inside a private range",
                        with("network_range", "169.254.0.0/16")),
                Map.entry("settings.network_range is not a valid IPv4 CIDR",
                        with("network_range", "not a network")),
                Map.entry("settings.network_range is not a valid IPv4 CIDR", with("network_range", "10.1.2.3")),
                Map.entry("settings.network_range is not a valid IPv4 CIDR", with("network_range", "10.1.2.3/33")),
                Map.entry("settings.network_range is not a valid IPv4 CIDR", with("network_range", "fd00::/64")),
                Map.entry("regular_users_view_blocked", with("regular_users_view_blocked", true)),
                Map.entry("peer_expose_enabled", with("peer_expose_enabled", true)),
                Map.entry("peer_expose_groups", with("peer_expose_groups", List.of("g1"))),
                Map.entry("between 1 hour and 180 days", with("peer_login_expiration", 3599)),
                Map.entry("between 1 hour and 180 days", with("peer_login_expiration", 180L * 86_400 + 1)),
                Map.entry("between 1 minute and 180 days", with("peer_inactivity_expiration", 59)),
                Map.entry("between 1 minute and 180 days", with("peer_inactivity_expiration", -600)),
                Map.entry("settings.peer_login_expiration_enabled", without("peer_login_expiration_enabled")),
                Map.entry("settings.peer_inactivity_expiration", without("peer_inactivity_expiration")),
                Map.entry("peer_login_expiration", with("peer_login_expiration", "3600")),
                Map.entry("peer_login_expiration", with("peer_login_expiration", 7200.5)),
                Map.entry("settings", Map.of("onboarding", Map.of())));
        for (Map.Entry<String, Map<String, Object>> bad : refused) {
            TestHttp.Response r = http.put(path, other.token(), bad.getValue());
            assertError(r, 400);
            assertThat(r.errorMessage()).as(bad.toString()).contains(bad.getKey());
        }
        // a valid range does not slip through beside a refused setting: nothing at all changes
        Map<String, Object> validRangeBadPeriod = settings(true, 59, false, 600);
        validRangeBadPeriod.put("network_range", "10.44.0.0/24");
        assertError(http.put(path, other.token(), Map.of("settings", validRangeBadPeriod)), 400);
        assertError(http.put(path, other.token(), "{\"settings\": {"), 400);
        assertError(http.put(path, other.token(), null), 400);
        assertError(http.put(path, other.token(), "[]"), 400);

        assertThat(auditTotal(other.token())).isEqualTo(auditBefore);
        JsonNode settingsAfter = http.get("/api/accounts", other.token()).json().get(0).get("settings");
        assertThat(settingsAfter.get("peer_login_expiration").asLong()).isEqualTo(86_400);
        assertThat(settingsAfter.get("network_range").asText()).isEqualTo("100.100.0.0/16");
    }

    @Test
    void putMovesTheNetworkRangeReaddressesEveryPeerAndAuditsIt() {
        OtherAccount other = otherAccount();
        String path = "/api/accounts/" + other.accountId();
        CreatedKey key = createSetupKey(other.token(), "reusable", 0, List.of());
        String first = register(key.key(), unique("first")).peerId();
        String second = register(key.key(), unique("second")).peerId();
        assertThat(readYourWrites.awaitCaughtUp(java.time.Duration.ofSeconds(10))).isTrue();
        assertThat(ipOf(other, first)).isEqualTo("100.100.0.1");
        assertThat(ipOf(other, second)).isEqualTo("100.100.0.2");
        long auditBefore = auditTotal(other.token());
        java.time.Instant beforeTheMove = java.time.Instant.now();

        TestHttp.Response r = http.put(path, other.token(), with("network_range", " 172.20.8.77/24 "));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().get("settings").get("network_range").asText()).isEqualTo("172.20.8.0/24");
        assertThat(http.get("/api/accounts", other.token()).json().get(0).get("settings").get("network_range")
                .asText()).isEqualTo("172.20.8.0/24");
        // each peer keeps its host offset
        assertThat(ipOf(other, first)).isEqualTo("172.20.8.1");
        assertThat(ipOf(other, second)).isEqualTo("172.20.8.2");
        // as of an instant before the move, the peer and its map stood at the old address
        TestHttp.Response then = http.get("/api/peers/" + first + "?as_of=" + beforeTheMove, other.token());
        assertThat(then.status()).as(then.toString()).isEqualTo(200);
        assertThat(then.json().get("ip").asText()).isEqualTo("100.100.0.1");
        TestHttp.Response mapThen = http.get("/api/peers/" + first + "/network-map?as_of=" + beforeTheMove,
                other.token());
        assertThat(mapThen.status()).as(mapThen.toString()).isEqualTo(200);
        assertThat(mapThen.json().get("peer_config").get("address").asText()).isEqualTo("100.100.0.1/16");
        assertThat(http.get("/api/peers/" + first + "/network-map", other.token()).json().get("peer_config")
                .get("address").asText()).isEqualTo("172.20.8.1/24");
        // and the next one is addressed in the new range
        String third = register(key.key(), unique("third")).peerId();
        assertThat(readYourWrites.awaitCaughtUp(java.time.Duration.ofSeconds(10))).isTrue();
        assertThat(ipOf(other, third)).isEqualTo("172.20.8.3");

        JsonNode audit = http.get("/api/events/audit?target_id=" + other.accountId(), other.token()).json();
        assertThat(audit.get(0).get("activity_code").asText()).isEqualTo("account.network.range.update");
        assertThat(audit.get(0).get("activity").asText()).isEqualTo("Account network range updated");
        assertThat(audit.get(0).get("initiator_id").asText()).isEqualTo(other.ownerId());
        assertThat(audit.get(0).get("meta").get("old_network_range").asText()).isEqualTo("100.100.0.0/16");
        assertThat(audit.get(0).get("meta").get("new_network_range").asText()).isEqualTo("172.20.8.0/24");
        // the range change plus the third peer's registration
        long auditAfter = auditTotal(other.token());
        assertThat(auditAfter).isGreaterThan(auditBefore + 1);

        // the same range again (as a client that read the account sends it back) records nothing
        assertThat(http.put(path, other.token(), with("network_range", "172.20.8.0/24")).status()).isEqualTo(200);
        assertThat(auditTotal(other.token())).isEqualTo(auditAfter);
    }

    private String ipOf(OtherAccount account, String peerId) {
        TestHttp.Response r = http.get("/api/peers/" + peerId, account.token());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("ip").asText();
    }

    @Test
    void onlyOwnersAndAdminsChangeSettingsAndOnlyTheirOwnAccount() {
        OtherAccount other = otherAccount();
        Map<String, Object> body = Map.of("settings", settings(true, 86_400, false, 600));
        String myAccount = http.get("/api/accounts", admin()).json().get(0).get("id").asText();

        RoleUser user = serviceUser("user");
        assertError(http.get("/api/accounts", user.token()), 403);
        assertError(http.put("/api/accounts/" + myAccount, user.token(), body), 403);
        RoleUser auditor = serviceUser("auditor");
        assertThat(http.get("/api/accounts", auditor.token()).status()).isEqualTo(200);
        assertError(http.put("/api/accounts/" + myAccount, auditor.token(), body), 403);
        RoleUser admin = serviceUser("admin");
        assertThat(http.put("/api/accounts/" + myAccount, admin.token(), body).status()).isEqualTo(200);

        // Another account's id is not found, exactly like an id that does not exist.
        long theirAudit = auditTotal(other.token());
        assertError(http.put("/api/accounts/" + other.accountId(), admin(), body), 404);
        assertError(http.put("/api/accounts/no-such-account", admin(), body), 404);
        assertError(http.put("/api/accounts/" + myAccount, other.token(), body), 404);
        assertThat(texts(http.get("/api/accounts", other.token()).json(), "id")).containsExactly(other.accountId());
        assertThat(auditTotal(other.token())).isEqualTo(theirAudit);
        assertError(http.delete("/api/accounts/" + myAccount, admin()), 405);
    }

    @Test
    void mutatedSettingsNeverYield500() {
        OtherAccount other = otherAccount();
        Map<String, Object> valid = settings(true, 86_400, false, 600);
        valid.put("dns_domain", "other.internal");
        valid.put("network_range", "100.100.0.0/16");
        List<String> failures = new ArrayList<>();
        for (String field : valid.keySet()) {
            for (Object odd : NoServerErrorsApiTest.ODD_VALUES) {
                Map<String, Object> mutated = new HashMap<>(valid);
                mutated.put(field, odd);
                TestHttp.Response r = http.send("PUT", "/api/accounts/" + other.accountId(), other.token(),
                        TestHttp.toJson(Map.of("settings", mutated)));
                boolean ok = r.status() < 500 && (r.isSuccess() || r.json().path("code").asInt() == r.status());
                if (!ok) {
                    failures.add(field + "=" + odd + " -> " + r);
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    private static Map<String, Object> with(String field, Object value) {
        Map<String, Object> settings = settings(true, 86_400, false, 600);
        settings.put(field, value);
        return Map.of("settings", settings);
    }

    private static Map<String, Object> without(String field) {
        Map<String, Object> settings = settings(true, 86_400, false, 600);
        settings.remove(field);
        return Map.of("settings", settings);
    }
}

package dev.tern.api.idp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.oidc.IdpBrowser;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Local users of the embedded provider over HTTP: invited by an admin in NetBird's shapes, accepted with a password,
 * signed in on the login page; wrong passwords refused and throttled; a TOTP second factor enrolled over REST and
 * then asked for at sign-in. Bad input is a 4xx in NetBird's error shape and leaves no event.
 */
@TernIntegrationTest
class LocalUsersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    TestHttp http;
    @Autowired
    Environment environment;
    @Autowired
    JdbcTemplate jdbc;

    private IdpBrowser browser;

    @BeforeEach
    void server() {
        http.adminToken();
        browser = new IdpBrowser(Integer.parseInt(environment.getRequiredProperty("local.server.port")));
    }

    /** Invites a new user, accepts with a password, and returns their e-mail address. */
    private String invitedUser(String password) {
        String email = "user-" + UUID.randomUUID() + "@tern.test";
        TestHttp.Response invite = http.post("/api/users/invites", http.adminToken(), Map.of("email", email,
                "name", "Invited " + email, "role", "user", "auto_groups", List.of()));
        assertThat(invite.status()).as(invite.body()).isEqualTo(200);
        String token = invite.json().get("invite_token").asText();
        TestHttp.Response accepted = http.post("/api/users/invites/" + token + "/accept", null,
                Map.of("password", password));
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        return email;
    }

    @Test
    void anInviteIsCreatedListedShownAndAcceptedOnce() {
        String email = "invitee-" + UUID.randomUUID() + "@tern.test";
        TestHttp.Response created = http.post("/api/users/invites", http.adminToken(), Map.of("email", email,
                "name", "Ina Vitee", "role", "user", "auto_groups", List.of(), "expires_in", 3600));
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        JsonNode invite = created.json();
        String token = invite.get("invite_token").asText();
        assertThat(token).startsWith("nbi_");
        assertThat(invite.get("expired").asBoolean()).isFalse();
        assertThat(Instant.parse(invite.get("expires_at").asText()))
                .isBefore(Instant.parse(invite.get("created_at").asText()).plusSeconds(3601));
        // Stored hashed only: the token is in no column, and the list never shows it.
        assertThat(jdbc.queryForObject("SELECT count(*) FROM idp_invite WHERE token_hash = ?", Integer.class, token))
                .isZero();
        TestHttp.Response listed = http.get("/api/users/invites", http.adminToken());
        assertThat(listed.body()).contains(email).doesNotContain(token).doesNotContain("invite_token");

        TestHttp.Response info = http.get("/api/users/invites/" + token, null);
        assertThat(info.status()).isEqualTo(200);
        assertThat(info.json().get("valid").asBoolean()).isTrue();
        assertThat(info.json().get("invited_by").asText()).isEqualTo("Owner");

        long auditBefore = http.auditTotal();
        TestHttp.Response shortPassword = http.post("/api/users/invites/" + token + "/accept", null,
                Map.of("password", "short"));
        assertThat(shortPassword.status()).isEqualTo(400);
        assertThat(shortPassword.json().get("message").asText()).contains("at least 8 characters");
        assertThat(http.auditTotal()).isEqualTo(auditBefore);

        TestHttp.Response accepted = http.post("/api/users/invites/" + token + "/accept", null,
                Map.of("password", "a long enough passphrase"));
        assertThat(accepted.status()).isEqualTo(200);
        assertThat(accepted.json().get("success").asBoolean()).isTrue();
        assertThat(http.get("/api/users", http.adminToken()).body()).contains(email);
        // Used up: the same token is now unknown.
        assertThat(http.post("/api/users/invites/" + token + "/accept", null,
                Map.of("password", "a long enough passphrase")).status()).isEqualTo(404);
        assertThat(http.get("/api/users/invites/" + token, null).status()).isEqualTo(404);
        // The password is only a hash at rest.
        assertThat(jdbc.queryForObject("SELECT password_hash FROM idp_local_credential WHERE login = ?",
                String.class, email)).startsWith("$argon2id$").doesNotContain("a long enough passphrase");

        HttpResponse<String> signedIn = browser.signIn(email, "a long enough passphrase", null);
        assertThat(signedIn.statusCode()).isEqualTo(302);

        // The audit trail: created by the owner, accepted by the invitee, then the invitee signed in.
        String inviteId = invite.get("id").asText();
        JsonNode createdEntry = auditEntry("user.invite.link.create", inviteId);
        assertThat(createdEntry.get("initiator_email").asText()).isEqualTo("owner@tern.test");
        assertThat(createdEntry.toString()).doesNotContain(token);
        String userId = jdbc.queryForObject("SELECT user_id FROM idp_local_credential WHERE login = ?", String.class,
                email);
        assertThat(auditEntry("user.invite.link.accept", userId).get("initiator_email").asText()).isEqualTo(email);
        assertThat(auditEntry("dashboard.login", userId).get("initiator_id").asText()).isEqualTo(userId);
        assertThat(http.get("/api/events/audit?page_size=200", http.adminToken()).body())
                .doesNotContain("a long enough passphrase").doesNotContain("$argon2");
    }

    /** The newest audit entry with this activity and target. */
    private JsonNode auditEntry(String activity, String targetId) {
        for (JsonNode entry : http.get("/api/events/audit?page_size=200", http.adminToken()).json()) {
            if (entry.get("activity_code").asText().equals(activity)
                    && entry.get("target_id").asText().equals(targetId)) {
                return entry;
            }
        }
        throw new AssertionError("no " + activity + " for " + targetId + " in the audit trail");
    }

    @Test
    void regeneratingReplacesTheTokenAndDeletingRevokesIt() {
        String email = "regen-" + UUID.randomUUID() + "@tern.test";
        JsonNode invite = http.post("/api/users/invites", http.adminToken(), Map.of("email", email, "name", "Re Gen",
                "role", "user", "auto_groups", List.of())).json();
        String id = invite.get("id").asText();
        String first = invite.get("invite_token").asText();
        TestHttp.Response regenerated = http.post("/api/users/invites/" + id + "/regenerate", http.adminToken(),
                Map.of("expires_in", 7200));
        assertThat(regenerated.status()).as(regenerated.body()).isEqualTo(200);
        String second = regenerated.json().get("invite_token").asText();
        assertThat(second).startsWith("nbi_").isNotEqualTo(first);
        assertThat(http.get("/api/users/invites/" + first, null).status()).isEqualTo(404);
        assertThat(http.get("/api/users/invites/" + second, null).status()).isEqualTo(200);

        assertThat(http.delete("/api/users/invites/" + id, http.adminToken()).status()).isEqualTo(200);
        assertThat(http.get("/api/users/invites/" + second, null).status()).isEqualTo(404);
        assertThat(http.delete("/api/users/invites/" + id, http.adminToken()).status()).isEqualTo(404);
    }

    @Test
    void badInvitesAreRefusedWithoutAnEvent() {
        long auditBefore = http.auditTotal();
        String admin = http.adminToken();
        assertError(http.post("/api/users/invites", admin, Map.of("email", "not-an-email", "name", "X",
                "role", "user", "auto_groups", List.of())), 400, "email");
        assertError(http.post("/api/users/invites", admin, Map.of("email", "o@tern.test", "name", "X",
                "role", "owner", "auto_groups", List.of())), 400, "owner");
        assertError(http.post("/api/users/invites", admin, Map.of("email", "g@tern.test", "name", "X",
                "role", "user", "auto_groups", List.of("nosuchgroup"))), 400, "not found");
        assertError(http.post("/api/users/invites", admin, Map.of("email", "e@tern.test", "name", "X",
                "role", "user", "auto_groups", List.of(), "expires_in", 5)), 400, "expires_in");
        assertError(http.post("/api/users/invites", admin, Map.of("email", "owner@tern.test", "name", "X",
                "role", "user", "auto_groups", List.of())), 409, "already exists");
        assertError(http.post("/api/users/invites/nbi_nosuchtoken/accept", null,
                Map.of("password", "long enough password")), 404, "not found");
        // Without a credential nothing but the two invite-link calls is open.
        assertThat(http.get("/api/users/invites", null).status()).isEqualTo(401);
        assertThat(http.post("/api/users/invites", null, Map.of()).status()).isEqualTo(401);
        assertThat(http.auditTotal()).isEqualTo(auditBefore);
    }

    @Test
    void wrongPasswordsAreRefusedThenThrottledEvenForTheRightOne() {
        String email = invitedUser("the right password");
        for (int i = 0; i < SignInThrottle.FREE_FAILURES; i++) {
            HttpResponse<String> wrong = browser.signIn(email, "a wrong password " + i, null);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).contains("wrong e-mail address or password");
        }
        String userId = jdbc.queryForObject("SELECT user_id FROM idp_local_credential WHERE login = ?", String.class,
                email);
        JsonNode failed = auditEntry("user.login.fail", userId);
        assertThat(failed.get("initiator_id").asText()).isEqualTo(userId);
        assertThat(failed.get("meta").get("reason").asText()).isEqualTo("wrong_password");
        assertThat(failed.toString()).doesNotContain("a wrong password");
        HttpResponse<String> locked = browser.signIn(email, "the right password", null);
        assertThat(locked.statusCode()).isEqualTo(429);
        assertThat(locked.headers().firstValue("Retry-After")).isPresent();
        assertThat(locked.body()).contains("too many failed sign-ins");
        // Another login from the same address is not locked out by it.
        String other = invitedUser("other right password");
        assertThat(browser.signIn(other, "other right password", null).statusCode()).isEqualTo(302);
    }

    @Test
    void totpIsEnrolledConfirmedAndThenRequiredAtSignIn() throws Exception {
        String email = invitedUser("totp user password");
        assertThat(browser.signIn(email, "totp user password", null).statusCode()).isEqualTo(302);
        HttpResponse<String> start = browser.get("/oauth2/totp");
        assertThat(start.statusCode()).isEqualTo(200);
        HttpResponse<String> enrolment = browser.submitFirstForm(start.body());
        assertThat(enrolment.statusCode()).isEqualTo(200);
        java.util.regex.Matcher shown = java.util.regex.Pattern.compile("<code>([A-Z2-7]+)</code>")
                .matcher(enrolment.body());
        assertThat(shown.find()).as(enrolment.body()).isTrue();
        byte[] secret = Totp.fromBase32(shown.group(1));
        // Not asked for before it is confirmed.
        assertThat(new IdpBrowser(browser.port()).signIn(email, "totp user password", null).statusCode()).isEqualTo(302);

        String current = Totp.code(secret, Instant.now());
        String wrong = current.equals("000000") ? "111111" : "000000";
        assertThat(browser.submitFirstForm(enrolment.body(), Map.of("code", wrong)).statusCode()).isEqualTo(400);
        HttpResponse<String> confirmed = browser.submitFirstForm(enrolment.body(), Map.of("code", current));
        assertThat(confirmed.statusCode()).isEqualTo(200);
        assertThat(confirmed.body()).contains("One-time codes are on");
        // The secret is not stored in the clear.
        byte[] stored = jdbc.queryForObject("SELECT totp_secret FROM idp_local_credential WHERE login = ?",
                byte[].class, email);
        assertThat(java.util.Collections.indexOfSubList(toList(stored), toList(secret))).isEqualTo(-1);

        IdpBrowser fresh = new IdpBrowser(browser.port());
        HttpResponse<String> noCode = fresh.signIn(email, "totp user password", null);
        assertThat(noCode.statusCode()).isEqualTo(401);
        assertThat(noCode.body()).contains("one-time code");
        HttpResponse<String> wrongCode = fresh.signIn(email, "totp user password", "12345x");
        assertThat(wrongCode.statusCode()).isEqualTo(401);
        assertThat(wrongCode.body()).contains("wrong one-time code");
        HttpResponse<String> withCode = fresh.signIn(email, "totp user password", Totp.code(secret, Instant.now()));
        assertThat(withCode.statusCode()).isEqualTo(302);
    }

    @Test
    void aUserChangesTheirOwnPasswordWithTheOldOne() {
        String admin = http.adminToken();
        String ownerId = http.get("/api/users/current", admin).json().get("id").asText();
        String path = "/api/users/" + ownerId + "/password";
        long auditBefore = http.auditTotal();
        assertError(http.put(path, admin, Map.of("old_password", "not the password", "new_password",
                "a brand new password")), 400, "old_password");
        assertError(http.put(path, admin, Map.of("old_password", "correct-horse-battery", "new_password", "short")),
                400, "at least 8 characters");
        assertError(http.put(path, admin, Map.of("new_password", "a brand new password")), 400, "old_password");
        String other = jdbc.queryForObject("SELECT user_id FROM idp_local_credential WHERE login = ?", String.class,
                invitedUser("someone else's password"));
        long afterInvite = http.auditTotal();
        assertError(http.put("/api/users/" + other + "/password", admin, Map.of("old_password",
                "someone else's password", "new_password", "a brand new password")), 403, "their own password");
        assertThat(http.auditTotal()).isEqualTo(afterInvite);
        assertThat(afterInvite).isGreaterThan(auditBefore); // only the invite's own entries were added

        try {
            assertThat(http.put(path, admin, Map.of("old_password", "correct-horse-battery",
                    "new_password", "a brand new password")).status()).isEqualTo(200);
            assertThat(new IdpBrowser(browser.port()).signIn("owner@tern.test", "correct-horse-battery", null)
                    .statusCode()).isEqualTo(401);
            assertThat(new IdpBrowser(browser.port()).signIn("owner@tern.test", "a brand new password", null)
                    .statusCode()).isEqualTo(302);
            JsonNode changed = auditEntry("user.password.change", ownerId);
            assertThat(changed.get("initiator_id").asText()).isEqualTo(ownerId);
        } finally {
            // The shared server's owner keeps the password the other tests sign in with.
            http.put(path, admin, Map.of("old_password", "a brand new password",
                    "new_password", "correct-horse-battery"));
        }
    }

    private static List<Byte> toList(byte[] bytes) {
        List<Byte> list = new java.util.ArrayList<>();
        for (byte b : bytes) {
            list.add(b);
        }
        return list;
    }

    private static void assertError(TestHttp.Response response, int status, String messagePart) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.json().get("code").asInt()).isEqualTo(status);
        assertThat(response.json().get("message").asText()).contains(messagePart);
    }
}

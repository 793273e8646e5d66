package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.oidc.OidcTestProvider;
import dev.tern.testsupport.oidc.OidcTestProvider.Spec;
import dev.tern.testsupport.oidc.OidcTestProvider.User;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * REST with {@code Authorization: Bearer <JWT>} from real OpenID Providers (node's oidc-provider, signed in through
 * its own login form): two providers at once, provisioning, roles, blocked users, JWT group sync and allowed
 * groups; and every token that must not pass — expired, forged, unsigned, HMAC with the public key, unknown kid,
 * wrong audience, an issuer nobody configured, malformed — a 401 in NetBird's shape that appends no event.
 */
@TernIntegrationTest
class JwtSignInApiTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final User ANN = new User("ann", "ann-pw", "Ann Alpha", "ann-" + RUN + "@alpha.test",
            List.of("dev-" + RUN, "ops-" + RUN));
    private static final User BOB = new User("bob", "bob-pw", "Bob Alpha", "bob-" + RUN + "@alpha.test",
            List.of("dev-" + RUN));
    private static final User CY = new User("cy", "cy-pw", "Cy Alpha", "cy-" + RUN + "@alpha.test", List.of());
    private static final User DEL = new User("del", "del-pw", "Del Alpha", "del-" + RUN + "@alpha.test", List.of());
    private static final User DEE = new User("dee", "dee-pw", "Dee Beta", "dee-" + RUN + "@beta.test",
            List.of("qa-" + RUN));
    private static final User EVE = new User("eve", "eve-pw", "Eve Else", "eve-" + RUN + "@else.test", List.of());

    private static final Spec ALPHA = Spec.of("jwt-alpha", List.of(ANN, BOB, CY, DEL));
    private static final Spec BETA = Spec.of("jwt-beta", List.of(DEE));
    /** Its clock lags an hour: its tokens are expired on arrival. */
    private static final Spec LAGGING = Spec.of("jwt-lagging", List.of(EVE)).withClockOffset(-3600);
    /** Configured in Tern with a client id that is not the audience of its tokens. */
    private static final Spec OTHER_AUDIENCE = Spec.of("jwt-other-audience", List.of(EVE));
    /** Never configured in Tern. */
    private static final Spec STRANGER = Spec.of("jwt-stranger", List.of(EVE));

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static volatile boolean configured;

    @Autowired
    TestHttp http;
    @Autowired
    JdbcTemplate jdbc;

    /** The providers of this class, configured once per server (an issuer can be configured once). */
    private synchronized void configure() {
        if (configured) {
            return;
        }
        configure(ALPHA, OidcTestProvider.shared(ALPHA).clientId());
        configure(BETA, OidcTestProvider.shared(BETA).clientId());
        configure(LAGGING, OidcTestProvider.shared(LAGGING).clientId());
        configure(OTHER_AUDIENCE, "not-the-audience-of-its-tokens");
        configured = true;
    }

    private void configure(Spec spec, String clientId) {
        OidcTestProvider provider = OidcTestProvider.shared(spec);
        TestHttp.Response created = http.post("/api/identity-providers", http.adminToken(),
                IdentityProvidersApiTest.request("oidc", spec.name() + " " + RUN, provider.issuer(), clientId,
                        provider.clientSecret()));
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
    }

    @Test
    void usersOfTwoProvidersAtOnceAreProvisionedOnFirstSignInWithTheRoleUser() {
        configure();
        String annToken = OidcTestProvider.shared(ALPHA).signIn("ann", "ann-pw").accessToken();
        String deeToken = OidcTestProvider.shared(BETA).signInOnDevice("dee", "dee-pw").accessToken();

        Answer ann = call("GET", "/api/users/current", annToken, null);
        Answer dee = call("GET", "/api/users/current", deeToken, null);

        assertThat(ann.status()).as(ann.toString()).isEqualTo(200);
        assertThat(ann.json().get("email").asText()).isEqualTo(ANN.email());
        assertThat(ann.json().get("name").asText()).isEqualTo(ANN.name());
        assertThat(ann.json().get("role").asText()).isEqualTo("user");
        assertThat(dee.status()).as(dee.toString()).isEqualTo(200);
        assertThat(dee.json().get("email").asText()).isEqualTo(DEE.email());
        assertThat(ann.json().get("id").asText()).isNotEqualTo(dee.json().get("id").asText());
        JsonNode created = auditOf("user.create", ann.json().get("id").asText());
        assertThat(created.get("initiator_name").asText()).isEqualTo(ALPHA.name() + " " + RUN);
        long events = events();
        assertThat(call("GET", "/api/users/current", annToken, null).status()).isEqualTo(200);
        assertThat(events()).as("a known user's next request appends nothing").isEqualTo(events);
    }

    @Test
    void theRoleGovernsWhatAJwtUserMayDoAsForPersonalAccessTokens() {
        configure();
        String token = OidcTestProvider.shared(ALPHA).signIn("cy", "cy-pw").accessToken();
        String userId = call("GET", "/api/users/current", token, null).json().get("id").asText();
        Map<String, Object> group = Map.of("name", "by-cy-" + RUN);

        Answer refused = call("POST", "/api/groups", token, group);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(403);

        assertThat(http.put("/api/users/" + userId, http.adminToken(),
                Map.of("role", "admin", "auto_groups", List.of(), "is_blocked", false)).status()).isEqualTo(200);
        Answer allowed = call("POST", "/api/groups", token, group);
        assertThat(allowed.status()).as(allowed.toString()).isEqualTo(200);
    }

    @Test
    void aBlockedUserIsRefusedAtOnce() {
        configure();
        String token = OidcTestProvider.shared(ALPHA).signIn("bob", "bob-pw").accessToken();
        Answer first = call("GET", "/api/users/current", token, null);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        String userId = first.json().get("id").asText();

        assertThat(http.put("/api/users/" + userId, http.adminToken(),
                Map.of("role", "user", "auto_groups", List.of(), "is_blocked", true)).status()).isEqualTo(200);
        long events = events();
        Answer blocked = call("GET", "/api/users/current", token, null);

        assertThat(blocked.status()).isEqualTo(403);
        assertThat(blocked.json().get("message").asText()).isEqualTo("user is blocked");
        assertThat(blocked.json().get("code").asInt()).isEqualTo(403);
        assertThat(events()).isEqualTo(events);
        http.put("/api/users/" + userId, http.adminToken(),
                Map.of("role", "user", "auto_groups", List.of(), "is_blocked", false));
    }

    @Test
    void aDeletedUsersTokenDoesNotBringItBack() {
        configure();
        OidcTestProvider alpha = OidcTestProvider.shared(ALPHA);
        String token = alpha.signIn("del", "del-pw").accessToken();
        Answer first = call("GET", "/api/users/current", token, null);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);

        assertThat(http.delete("/api/users/" + first.json().get("id").asText(), http.adminToken()).status())
                .isEqualTo(200);
        long events = events();
        Answer deleted = call("GET", "/api/users/current", alpha.signIn("del", "del-pw").accessToken(), null);

        assertThat(deleted.status()).isEqualTo(403);
        assertThat(deleted.json().get("message").asText()).contains("deleted");
        assertThat(events()).isEqualTo(events);
    }

    @Test
    void groupsOfTheClaimAreSyncedAndOnlyAllowedGroupsMaySignIn() {
        configure();
        OidcTestProvider alpha = OidcTestProvider.shared(ALPHA);
        String accountId = http.get("/api/accounts", http.adminToken()).json().get(0).get("id").asText();
        try {
            setJwtGroups(accountId, true, "groups", List.of());
            alpha.setGroups("ann", List.of("dev-" + RUN, "ops-" + RUN));
            String token = alpha.signIn("ann", "ann-pw").accessToken();

            Answer ann = call("GET", "/api/users/current", token, null);

            assertThat(ann.status()).as(ann.toString()).isEqualTo(200);
            Map<String, JsonNode> groups = groupsByName();
            assertThat(groups.get("dev-" + RUN).get("issued").asText()).isEqualTo("jwt");
            assertThat(groups.get("ops-" + RUN).get("issued").asText()).isEqualTo("jwt");
            assertThat(autoGroups(ann)).containsExactlyInAnyOrder(groups.get("dev-" + RUN).get("id").asText(),
                    groups.get("ops-" + RUN).get("id").asText());
            JsonNode joined = auditOf("user.group.add", ann.json().get("id").asText());
            assertThat(joined.get("initiator_id").asText()).as("the user is the actor of its group sync")
                    .isEqualTo(ann.json().get("id").asText());

            long events = events();
            assertThat(call("GET", "/api/users/current", token, null).status()).isEqualTo(200);
            assertThat(events()).as("the same groups again: no event").isEqualTo(events);

            alpha.setGroups("ann", List.of("ops-" + RUN));
            Answer after = call("GET", "/api/users/current", alpha.signIn("ann", "ann-pw").accessToken(), null);
            assertThat(autoGroups(after)).containsExactly(groups.get("ops-" + RUN).get("id").asText());

            setJwtGroups(accountId, true, "groups", List.of("ops-" + RUN));
            Answer bob = call("GET", "/api/users/current", alpha.signIn("bob", "bob-pw").accessToken(), null);
            assertThat(bob.status()).isEqualTo(403);
            assertThat(bob.json().get("message").asText()).contains("allowed");
            assertThat(call("GET", "/api/users/current", alpha.signIn("ann", "ann-pw").accessToken(), null)
                    .status()).isEqualTo(200);
        } finally {
            setJwtGroups(accountId, false, "groups", List.of());
            alpha.setGroups("ann", ANN.groups());
        }
    }

    @Test
    void tokensThatMustNotPassAreA401InNetBirdsShapeAndAppendNothing() throws Exception {
        configure();
        OidcTestProvider alpha = OidcTestProvider.shared(ALPHA);
        String real = alpha.signIn("ann", "ann-pw").accessToken();
        call("GET", "/api/users/current", real, null); // provisioned before counting
        SignedJWT parsed = SignedJWT.parse(real);
        JWTClaimsSet claims = parsed.getJWTClaimsSet();
        String kid = parsed.getHeader().getKeyID();
        RSAKey ours = new RSAKeyGenerator(2048).keyID(kid).generate();
        RSAKey providersPublic = (RSAKey) JWKSet.parse(alpha.jwks()).getKeyByKeyId(kid);
        String[] parts = real.split("\\.");
        JWTClaimsSet asAdmin = new JWTClaimsSet.Builder(claims).claim("email", "owner@tern.test").build();

        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("expired", OidcTestProvider.shared(LAGGING).signIn("eve", "eve-pw").accessToken());
        refused.put("forged payload", parts[0] + "." + b64(asAdmin.toString()) + "." + parts[2]);
        refused.put("forged signature", sign(ours, JWSAlgorithm.RS256, kid, claims));
        refused.put("unknown kid", sign(new RSAKeyGenerator(2048).keyID("no-such-kid-" + RUN).generate(),
                JWSAlgorithm.RS256, "no-such-kid-" + RUN, claims));
        refused.put("alg none", new PlainJWT(claims).serialize());
        refused.put("HMAC with the public key", hmacWithPublicKey(providersPublic, kid, claims));
        refused.put("wrong audience", OidcTestProvider.shared(OTHER_AUDIENCE).signIn("eve", "eve-pw")
                .accessToken());
        refused.put("unconfigured issuer", OidcTestProvider.shared(STRANGER).signIn("eve", "eve-pw")
                .accessToken());
        refused.put("malformed", "not.a.jwt");
        refused.put("garbage", "garbage");
        refused.put("two parts", parts[0] + "." + parts[1]);
        Map<String, String> reasons = Map.ofEntries(Map.entry("expired", "token expired"),
                Map.entry("forged payload", "signature is invalid"),
                Map.entry("forged signature", "signature is invalid"),
                Map.entry("unknown kid", "unknown kid"), Map.entry("alg none", "alg none"),
                Map.entry("HMAC with the public key", "HS256 is not accepted"),
                Map.entry("wrong audience", "audience"),
                Map.entry("unconfigured issuer", "not the embedded identity provider nor a configured one"),
                Map.entry("malformed", "malformed"), Map.entry("garbage", "malformed"),
                Map.entry("two parts", "malformed"));
        long events = events();

        for (Map.Entry<String, String> token : refused.entrySet()) {
            Answer answer = call("GET", "/api/users/current", token.getValue(), null);
            assertThat(answer.status()).as(token.getKey() + ": " + answer).isEqualTo(401);
            assertThat(answer.json().get("code").asInt()).as(token.getKey()).isEqualTo(401);
            assertThat(answer.json().get("message").asText()).as(token.getKey())
                    .contains(reasons.get(token.getKey()));
        }
        assertThat(events()).isEqualTo(events);
    }

    // ---- helpers

    private record Answer(int status, String body, JsonNode json) {
    }

    private Answer call(String method, String path, String jwt, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(http.uri(path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + jwt).header("Accept", "application/json");
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(MAPPER.writeValueAsString(body)));
            }
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(),
                    response.body().isEmpty() ? MAPPER.nullNode() : MAPPER.readTree(response.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void setJwtGroups(String accountId, boolean enabled, String claim, List<String> allowed) {
        JsonNode current = http.get("/api/accounts", http.adminToken()).json().get(0).get("settings");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("peer_login_expiration_enabled", current.get("peer_login_expiration_enabled").asBoolean());
        settings.put("peer_login_expiration", current.get("peer_login_expiration").asLong());
        settings.put("peer_inactivity_expiration_enabled",
                current.get("peer_inactivity_expiration_enabled").asBoolean());
        settings.put("peer_inactivity_expiration", current.get("peer_inactivity_expiration").asLong());
        settings.put("jwt_groups_enabled", enabled);
        settings.put("jwt_groups_claim_name", claim);
        settings.put("jwt_allow_groups", allowed);
        TestHttp.Response answer = http.put("/api/accounts/" + accountId, http.adminToken(),
                Map.of("settings", settings));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.json().get("settings").get("jwt_groups_enabled").asBoolean()).isEqualTo(enabled);
    }

    private Map<String, JsonNode> groupsByName() {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        http.get("/api/groups", http.adminToken()).json().forEach(g -> byName.put(g.get("name").asText(), g));
        return byName;
    }

    private static List<String> autoGroups(Answer user) {
        return StreamSupport.stream(user.json().get("auto_groups").spliterator(), false).map(JsonNode::asText)
                .toList();
    }

    private JsonNode auditOf(String activityCode, String targetId) {
        for (JsonNode e : http.get("/api/events/audit?page_size=500", http.adminToken()).json()) {
            if (e.get("activity_code").asText().equals(activityCode) && e.get("target_id").asText().equals(targetId)) {
                return e;
            }
        }
        throw new AssertionError("no " + activityCode + " for " + targetId);
    }

    /** Events in the store (after the owner's setup, which the first request of a fresh server would append). */
    private long events() {
        http.adminToken();
        return jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
    }

    private static String sign(RSAKey key, JWSAlgorithm alg, String kid, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /** The classic confusion: HS256 keyed with the provider's public key, hoping the server verifies with it. */
    private static String hmacWithPublicKey(RSAKey publicKey, String kid, JWTClaimsSet claims) throws Exception {
        byte[] secret = publicKey.toRSAPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(), claims);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}

package dev.tern.api.idp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.testsupport.oidc.IdpBrowser;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

/**
 * tern-server as an OpenID Provider, over HTTP on its REST port, driven by a real HTTP client that fills in the
 * login form as a person would: discovery and JWKS, the authorization code grant with PKCE (state and nonce come
 * back, a missing or wrong verifier is refused), the device authorization grant with its verification page, and
 * refresh tokens.
 */
@TernIntegrationTest
class EmbeddedProviderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OWNER = "owner@tern.test";
    /** The password {@link TestHttp#setupRequest} gives the shared server's owner. */
    private static final String OWNER_PASSWORD = "correct-horse-battery";
    /** The dashboard client's default redirect: NetBird's /nb-auth on a loopback address, any port (RFC 8252). */
    private static final String REDIRECT = "http://127.0.0.1:61000/nb-auth";

    @Autowired
    TestHttp http;
    @Autowired
    Environment environment;
    @Autowired
    EmbeddedIssuer issuer;

    private int port;

    @BeforeEach
    void owner() {
        http.adminToken(); // the shared server's owner, with OWNER_PASSWORD
        port = Integer.parseInt(environment.getRequiredProperty("local.server.port"));
    }

    @Test
    void discoveryNamesTheIssuerAndItsEndpointsUnderOauth2() throws Exception {
        IdpBrowser browser = new IdpBrowser(port);
        HttpResponse<String> discovery = browser.get("/oauth2/.well-known/openid-configuration");
        assertThat(discovery.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(discovery.body());
        String expectedIssuer = "http://localhost:" + port + "/oauth2";
        assertThat(doc.get("issuer").asText()).isEqualTo(expectedIssuer).isEqualTo(issuer.issuer());
        assertThat(doc.get("authorization_endpoint").asText()).isEqualTo(expectedIssuer + "/authorize");
        assertThat(doc.get("token_endpoint").asText()).isEqualTo(expectedIssuer + "/token");
        assertThat(doc.get("jwks_uri").asText()).isEqualTo(expectedIssuer + "/jwks");
        assertThat(doc.get("device_authorization_endpoint").asText()).isEqualTo(expectedIssuer + "/device_authorization");
        assertThat(doc.get("code_challenge_methods_supported").toString()).contains("S256");

        // Whatever Host the request names, the provider speaks as its one issuer.
        HttpResponse<String> viaIp = new IdpBrowser(port).get("http://127.0.0.1:" + port + "/oauth2/.well-known/openid-configuration");
        assertThat(JSON.readTree(viaIp.body()).get("issuer").asText()).isEqualTo(expectedIssuer);

        HttpResponse<String> jwks = browser.get("/oauth2/jwks");
        assertThat(jwks.statusCode()).isEqualTo(200);
        JWKSet keys = JWKSet.parse(jwks.body());
        assertThat(keys.getKeys()).isNotEmpty();
        assertThat(keys.getKeys()).allSatisfy(key -> {
            assertThat(key.isPrivate()).isFalse();
            assertThat(key.getKeyID()).isNotBlank();
        });
        assertThat(jwks.body()).doesNotContain("\"d\"", "\"p\"", "\"q\"");
    }

    @Test
    void authorizationCodeWithPkceSignsTheOwnerIn() throws Exception {
        IdpBrowser browser = new IdpBrowser(port);
        String verifier = randomToken();
        String state = randomToken();
        String nonce = randomToken();
        HttpResponse<String> toLogin = browser.get(authorizeUrl(challenge(verifier), state, nonce));
        assertThat(toLogin.statusCode()).isEqualTo(302);
        assertThat(IdpBrowser.location(toLogin)).isEqualTo("http://localhost:" + port + "/oauth2/login");

        HttpResponse<String> signedIn = browser.signIn(OWNER, OWNER_PASSWORD, null);
        assertThat(signedIn.statusCode()).isEqualTo(302);
        HttpResponse<String> callback = browser.follow(signedIn);
        assertThat(callback.statusCode()).isEqualTo(302);
        String redirect = IdpBrowser.location(callback);
        assertThat(redirect).startsWith(REDIRECT + "?");
        Map<String, String> params = IdpBrowser.query(redirect);
        assertThat(params.get("state")).isEqualTo(state);
        assertThat(params.get("code")).isNotBlank();

        HttpResponse<String> tokens = browser.postForm("/oauth2/token", tokenRequest(params.get("code"), verifier));
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(tokens.body());
        JWKSet published = JWKSet.parse(browser.get("/oauth2/jwks").body());

        SignedJWT access = SignedJWT.parse(body.get("access_token").asText());
        assertThat(verifies(access, published)).isTrue();
        assertThat(access.getJWTClaimsSet().getIssuer()).isEqualTo(issuer.issuer());
        assertThat(access.getJWTClaimsSet().getAudience()).containsExactly(issuer.audience());
        assertThat(access.getJWTClaimsSet().getStringClaim("email")).isEqualTo(OWNER);
        long lifetime = access.getJWTClaimsSet().getExpirationTime().getTime()
                - access.getJWTClaimsSet().getIssueTime().getTime();
        assertThat(lifetime).isLessThanOrEqualTo(IdpConfiguration.ACCESS_TOKEN_TTL.toMillis());

        SignedJWT id = SignedJWT.parse(body.get("id_token").asText());
        assertThat(verifies(id, published)).isTrue();
        assertThat(id.getJWTClaimsSet().getStringClaim("nonce")).isEqualTo(nonce);
        assertThat(id.getJWTClaimsSet().getAudience()).containsExactly(IdpSettings.DEFAULT_DASHBOARD_CLIENT_ID);
        assertThat(id.getJWTClaimsSet().getSubject()).isEqualTo(access.getJWTClaimsSet().getSubject());
        // The code is single-use.
        assertThat(browser.postForm("/oauth2/token", tokenRequest(params.get("code"), verifier)).statusCode())
                .isEqualTo(400);
    }

    @Test
    void aMissingOrWrongCodeVerifierIsRefused() throws Exception {
        IdpBrowser browser = new IdpBrowser(port);
        String verifier = randomToken();
        browser.get(authorizeUrl(challenge(verifier), "s1", "n1"));
        browser.signIn(OWNER, OWNER_PASSWORD, null);

        String wrongCode = codeFrom(browser, challenge(verifier));
        HttpResponse<String> wrong = browser.postForm("/oauth2/token", tokenRequest(wrongCode, randomToken()));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrong.body()).get("error").asText()).isEqualTo("invalid_grant");

        String missingCode = codeFrom(browser, challenge(verifier));
        Map<String, String> withoutVerifier = tokenRequest(missingCode, verifier);
        withoutVerifier.remove("code_verifier");
        HttpResponse<String> missing = browser.postForm("/oauth2/token", withoutVerifier);
        assertThat(missing.statusCode()).isIn(400, 401);
        assertThat(missing.body()).doesNotContain("access_token");

        // PKCE is required: an authorization request without a challenge gets an error, never a code.
        HttpResponse<String> noChallenge = browser.get("/oauth2/authorize?response_type=code&client_id="
                + IdpSettings.DEFAULT_DASHBOARD_CLIENT_ID + "&redirect_uri=" + IdpBrowser.encode(REDIRECT)
                + "&scope=openid&state=s2");
        assertThat(noChallenge.statusCode()).isEqualTo(302);
        Map<String, String> refused = IdpBrowser.query(IdpBrowser.location(noChallenge));
        assertThat(refused).containsKey("error").doesNotContainKey("code");
    }

    @Test
    void deviceFlowApprovedOnTheVerificationPageThenRefreshed() throws Exception {
        IdpBrowser device = new IdpBrowser(port);
        HttpResponse<String> started = device.postForm("/oauth2/device_authorization",
                Map.of("client_id", IdpSettings.DEFAULT_CLI_CLIENT_ID, "scope", "email offline_access"));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        JsonNode authorization = JSON.readTree(started.body());
        String deviceCode = authorization.get("device_code").asText();
        String userCode = authorization.get("user_code").asText();
        assertThat(authorization.get("verification_uri").asText())
                .isEqualTo("http://localhost:" + port + "/oauth2/device_verification");
        assertThat(authorization.get("verification_uri_complete").asText())
                .isEqualTo("http://localhost:" + port + "/oauth2/device_verification?user_code=" + userCode);
        // NetBird's client polls with a ticker of this many seconds; without it (0) the client panics
        assertThat(authorization.path("interval").asInt()).as(started.body())
                .isEqualTo(DeviceAuthorizationAnswer.POLL_INTERVAL_SECONDS);
        assertThat(authorization.get("expires_in").asLong()).isPositive();

        Map<String, String> poll = Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                "device_code", deviceCode, "client_id", IdpSettings.DEFAULT_CLI_CLIENT_ID);
        HttpResponse<String> pending = device.postForm("/oauth2/token", poll);
        assertThat(pending.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(pending.body()).get("error").asText()).isEqualTo("authorization_pending");

        // The person opens the verification page, signs in, and enters the code.
        IdpBrowser person = new IdpBrowser(port);
        HttpResponse<String> page = person.get("/oauth2/device_verification");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(IdpBrowser.location(page)).endsWith("/oauth2/login");
        HttpResponse<String> signedIn = person.follow(person.signIn(OWNER, OWNER_PASSWORD, null));
        assertThat(signedIn.statusCode()).as(signedIn.headers().map().toString()).isEqualTo(200);
        assertThat(signedIn.body()).contains("name=\"user_code\"");
        HttpResponse<String> consent = person.follow(person.get("/oauth2/device_verification?user_code="
                + IdpBrowser.encode(userCode)));
        assertThat(consent.statusCode()).isEqualTo(200);
        assertThat(consent.body()).contains(userCode);
        assertThat(device.postForm("/oauth2/token", poll).statusCode()).isEqualTo(400); // not approved yet
        HttpResponse<String> approved = person.follow(person.submitFirstForm(consent.body()));
        assertThat(approved.statusCode()).isEqualTo(200);
        assertThat(approved.body()).contains("Device signed in");

        HttpResponse<String> tokens = device.postForm("/oauth2/token", poll);
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        JsonNode issued = JSON.readTree(tokens.body());
        SignedJWT access = SignedJWT.parse(issued.get("access_token").asText());
        assertThat(access.getJWTClaimsSet().getStringClaim("email")).isEqualTo(OWNER);
        String refreshToken = issued.get("refresh_token").asText();
        assertThat(refreshToken).isNotBlank();
        // A device code is used once.
        assertThat(device.postForm("/oauth2/token", poll).statusCode()).isEqualTo(400);

        Map<String, String> refresh = Map.of("grant_type", "refresh_token", "refresh_token", refreshToken,
                "client_id", IdpSettings.DEFAULT_CLI_CLIENT_ID);
        HttpResponse<String> refreshed = device.postForm("/oauth2/token", refresh);
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        JsonNode renewed = JSON.readTree(refreshed.body());
        assertThat(renewed.get("access_token").asText()).isNotEqualTo(access.serialize());
        assertThat(renewed.get("refresh_token").asText()).isNotEqualTo(refreshToken);
        // Refresh tokens rotate: the old one is spent.
        assertThat(device.postForm("/oauth2/token", refresh).statusCode()).isEqualTo(400);
        // Another client cannot use this client's refresh token.
        Map<String, String> stolen = new LinkedHashMap<>(refresh);
        stolen.put("refresh_token", renewed.get("refresh_token").asText());
        stolen.put("client_id", IdpSettings.DEFAULT_DASHBOARD_CLIENT_ID);
        assertThat(device.postForm("/oauth2/token", stolen).statusCode()).isIn(400, 401);
    }

    /**
     * NetBird's client on a desktop signs in through the browser: tern-cli takes the authorization code (PKCE
     * required) back to the loopback listener NetBird opens on port 53000 or 54000, and nowhere else.
     */
    @Test
    void theCliClientSignsInThroughTheBrowserToNetBirdsLoopbackRedirects() throws Exception {
        IdpBrowser browser = new IdpBrowser(port);
        assertThat(browser.signIn(OWNER, OWNER_PASSWORD, null).statusCode()).isEqualTo(302);
        for (String redirect : DeviceLoginSettings.PKCE_REDIRECT_URIS) {
            String verifier = randomToken();
            HttpResponse<String> callback = browser.get(cliAuthorizeUrl(redirect) + "&code_challenge="
                    + challenge(verifier) + "&code_challenge_method=S256");
            assertThat(callback.statusCode()).isEqualTo(302);
            assertThat(IdpBrowser.location(callback)).startsWith(redirect + "?");
            String code = IdpBrowser.query(IdpBrowser.location(callback)).get("code");
            assertThat(code).as(IdpBrowser.location(callback)).isNotBlank();
            Map<String, String> form = new LinkedHashMap<>();
            form.put("grant_type", "authorization_code");
            form.put("code", code);
            form.put("redirect_uri", redirect);
            form.put("client_id", IdpSettings.DEFAULT_CLI_CLIENT_ID);
            form.put("code_verifier", verifier);
            HttpResponse<String> tokens = browser.postForm("/oauth2/token", form);
            assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
            SignedJWT access = SignedJWT.parse(JSON.readTree(tokens.body()).get("access_token").asText());
            assertThat(access.getJWTClaimsSet().getAudience()).containsExactly(EmbeddedProvider.AUDIENCE);
        }
        // without PKCE: an error back to the client, no code
        HttpResponse<String> noChallenge = browser.get(cliAuthorizeUrl(DeviceLoginSettings.PKCE_REDIRECT_URIS.get(0)));
        assertThat(IdpBrowser.query(IdpBrowser.location(noChallenge))).containsKey("error").doesNotContainKey("code");
        // another redirect: refused at the provider (never sent there)
        HttpResponse<String> elsewhere = browser.get(cliAuthorizeUrl("http://localhost:55000/") + "&code_challenge="
                + challenge(randomToken()) + "&code_challenge_method=S256");
        assertThat(elsewhere.statusCode()).isEqualTo(400);
    }

    private static String cliAuthorizeUrl(String redirect) {
        return "/oauth2/authorize?response_type=code&client_id=" + IdpSettings.DEFAULT_CLI_CLIENT_ID
                + "&redirect_uri=" + IdpBrowser.encode(redirect) + "&scope="
                + IdpBrowser.encode(DeviceLoginSettings.PKCE_SCOPE) + "&state=s";
    }

    @Test
    void theRestOfTheApiIsUntouchedBySpringSecurity() {
        // No session cookie, no CSRF, no Basic challenge: /api answers exactly as before.
        TestHttp.Response unauthenticated = http.get("/api/groups", null);
        assertThat(unauthenticated.status()).isEqualTo(401);
        assertThat(unauthenticated.json().get("code").asInt()).isEqualTo(401);
        assertThat(unauthenticated.headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("set-cookie"));
        assertThat(unauthenticated.headers().getOrDefault("www-authenticate", java.util.List.of()))
                .noneMatch(v -> v.startsWith("Basic"));
        TestHttp.Response groups = http.post("/api/groups", http.adminToken(), Map.of("name", "idp-untouched"));
        assertThat(groups.status()).isEqualTo(200);
        assertThat(groups.headers().keySet()).noneMatch(h -> h.equalsIgnoreCase("set-cookie"));
    }

    private String authorizeUrl(String challenge, String state, String nonce) {
        return "/oauth2/authorize?response_type=code&client_id=" + IdpSettings.DEFAULT_DASHBOARD_CLIENT_ID
                + "&redirect_uri=" + IdpBrowser.encode(REDIRECT) + "&scope=" + IdpBrowser.encode("openid email profile")
                + "&state=" + state + "&nonce=" + nonce + "&code_challenge=" + challenge
                + "&code_challenge_method=S256";
    }

    /** A signed-in browser's next authorization code for this challenge. */
    private String codeFrom(IdpBrowser browser, String challenge) {
        HttpResponse<String> callback = browser.get(authorizeUrl(challenge, "s", "n"));
        assertThat(callback.statusCode()).isEqualTo(302);
        String code = IdpBrowser.query(IdpBrowser.location(callback)).get("code");
        assertThat(code).as(IdpBrowser.location(callback)).isNotBlank();
        return code;
    }

    private static Map<String, String> tokenRequest(String code, String verifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", REDIRECT);
        form.put("client_id", IdpSettings.DEFAULT_DASHBOARD_CLIENT_ID);
        form.put("code_verifier", verifier);
        return form;
    }

    static boolean verifies(SignedJWT jwt, JWKSet keys) throws Exception {
        RSAKey key = (RSAKey) keys.getKeyByKeyId(jwt.getHeader().getKeyID());
        return key != null && jwt.verify(new RSASSAVerifier(key));
    }

    static String randomToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String challenge(String verifier) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }
}

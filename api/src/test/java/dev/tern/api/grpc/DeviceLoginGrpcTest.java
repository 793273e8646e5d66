package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.tern.api.idp.EmbeddedIssuer;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.protocol.management.DeviceAuthorizationFlow;
import dev.tern.protocol.management.DeviceAuthorizationFlowRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ProviderConfig;
import dev.tern.testsupport.oidc.IdpBrowser;
import dev.tern.testsupport.oidc.OidcTestProvider;
import dev.tern.testsupport.oidc.OidcTestProvider.Spec;
import dev.tern.testsupport.oidc.OidcTestProvider.User;
import dev.tern.events.commands.ExpirePeerLogin;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.PeerExpiry;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Device login end to end against the real providers: a Java gRPC client asks GetDeviceAuthorizationFlow, runs the
 * embedded provider's device flow with the endpoints and scope it got while a person's browser signs in and
 * approves the code, then logs in with the access token as NetBird's client does (the all-zero setup key beside
 * it): the peer is the owner's, with the owner's auto-groups. A token of a configured external provider (node's
 * oidc-provider) registers its provisioned user's peer. Forged, unconfigured-issuer, expired and replayed tokens and
 * a blocked user are refused with NetBird's codes and append no event.
 */
@TernIntegrationTest
class DeviceLoginGrpcTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String OWNER = "owner@tern.test";
    /** The password {@link TestHttp#setupRequest} gives the shared server's owner. */
    private static final String OWNER_PASSWORD = "correct-horse-battery";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static final User FAY = new User("fay", "fay-pw", "Fay Device", "fay-" + RUN + "@device.test", List.of());
    private static final User GUS = new User("gus", "gus-pw", "Gus Device", "gus-" + RUN + "@device.test", List.of());
    private static final User HAL = new User("hal", "hal-pw", "Hal Device", "hal-" + RUN + "@device.test", List.of());
    private static final User IDA = new User("ida", "ida-pw", "Ida Device", "ida-" + RUN + "@device.test", List.of());
    private static final Spec PROVIDER = Spec.of("device-login", List.of(FAY, GUS, HAL, IDA));
    /** Its clock lags an hour: its tokens are expired on arrival. */
    private static final Spec LAGGING = Spec.of("device-lagging", List.of(FAY)).withClockOffset(-3600);
    /** Never configured in Tern. */
    private static final Spec STRANGER = Spec.of("device-stranger", List.of(FAY));
    private static volatile boolean configured;

    @Autowired
    TestHttp http;
    @Autowired
    ManagementGrpcServer grpcServer;
    @Autowired
    EmbeddedIssuer issuer;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    CommandGateway gateway;

    private final TestPeer.Fleet fleet = new TestPeer.Fleet();
    private final List<Runnable> restore = new ArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        restore.forEach(Runnable::run);
        fleet.closeAll();
    }

    @Test
    void theEmbeddedDeviceFlowSignsTheOwnerInAndTheirDeviceJoinsWithTheirAutoGroups() throws Exception {
        JsonNode owner = owner();
        String groupId = http.post("/api/groups", http.adminToken(), Map.of("name", "device-login-" + RUN))
                .json().get("id").asText();
        setAutoGroups(owner, List.of(groupId));
        TestPeer device = fleet.newPeer(grpcServer.port());

        String accessToken = deviceFlow(device);
        long before = events();
        LoginResponse login = device.loginWithJwt(accessToken, "owners-laptop-" + RUN);

        assertThat(login.getPeerConfig().getAddress()).isNotBlank();
        JsonNode peer = http.awaitPeerByName("owners-laptop-" + RUN, WAIT);
        assertThat(peer.get("user_id").asText()).isEqualTo(owner.get("id").asText());
        assertThat(peer.get("login_expiration_enabled").asBoolean()).isTrue();
        assertThat(peer.get("inactivity_expiration_enabled").asBoolean()).isTrue();
        List<String> groups = new ArrayList<>();
        peer.get("groups").forEach(g -> groups.add(g.get("id").asText()));
        assertThat(groups).contains(groupId);
        assertThat(events()).as("registered, flags, group").isGreaterThan(before);

        // The same device logs in again with the same token: refused as NetBird does, nothing appended.
        long registered = events();
        assertStatus(() -> device.loginWithJwt(accessToken, "owners-laptop-" + RUN), "UNAUTHENTICATED: JWT already used");
        TestPeer thief = fleet.newPeer(grpcServer.port());
        assertStatus(() -> thief.loginWithJwt(accessToken, "thief-" + RUN), "UNAUTHENTICATED: JWT already used");
        assertThat(events()).isEqualTo(registered);
    }

    @Test
    void anExternalProvidersTokenRegistersItsProvisionedUsersPeer() {
        configure();
        String token = OidcTestProvider.shared(PROVIDER).signInOnDevice("fay", "fay-pw").accessToken();
        TestPeer device = fleet.newPeer(grpcServer.port());

        device.loginWithJwt(token, "fays-laptop-" + RUN);

        JsonNode peer = http.awaitPeerByName("fays-laptop-" + RUN, WAIT);
        JsonNode fay = userByEmail(FAY.email());
        assertThat(peer.get("user_id").asText()).isEqualTo(fay.get("id").asText());
    }

    @Test
    void anExpiredUserPeerIsRenewedByItsUsersJwtOnlyNotBySomeoneElsesNorByASetupKey() {
        configure();
        OidcTestProvider provider = OidcTestProvider.shared(PROVIDER);
        TestPeer device = fleet.newPeer(grpcServer.port());
        String host = "hals-laptop-" + RUN;
        String halsToken = provider.signIn("hal", "hal-pw").accessToken();
        registeredADayAndAnHourAgo(() -> device.loginWithJwt(halsToken, host));
        JsonNode peer = http.awaitPeerByName(host, WAIT);
        String peerId = peer.get("id").asText();
        expireAsTheSweeperWould(peerId);
        await().atMost(WAIT).untilAsserted(() -> assertStatus(() -> device.login("", host),
                "PERMISSION_DENIED: peer login has expired, please log in once more"));

        String setupKey = http.post("/api/setup-keys", http.adminToken(), Map.of("name", "device-login-" + RUN,
                "type", "reusable", "expires_in", 86400, "auto_groups", List.of(), "usage_limit", 0))
                .json().get("key").asText();
        assertStatus(() -> device.login(setupKey, host),
                "PERMISSION_DENIED: peer login has expired, please log in once more");
        assertStatus(() -> device.loginWithJwt(provider.signIn("ida", "ida-pw").accessToken(), host),
                "PERMISSION_DENIED: peer is already registered by a different User or a Setup Key");

        device.loginWithJwt(provider.signIn("hal", "hal-pw").accessToken(), host);

        await().atMost(WAIT).untilAsserted(() ->
                assertThat(peerById(peerId).get("login_expired").asBoolean()).isFalse());
        JsonNode renewed = auditOf("user.peer.login", peerId);
        assertThat(renewed.get("initiator_id").asText()).isEqualTo(userByEmail(HAL.email()).get("id").asText());
        JsonNode added = auditOf("peer.user.add", peerId);
        assertThat(added.get("initiator_id").asText()).isEqualTo(userByEmail(HAL.email()).get("id").asText());
    }

    @Test
    void aJwtSignInIsAuditedOncePerToken() {
        configure();
        String token = OidcTestProvider.shared(PROVIDER).signIn("fay", "fay-pw").accessToken();
        TestPeer device = fleet.newPeer(grpcServer.port());
        device.loginWithJwt(token, "fays-desktop-" + RUN);
        String fayId = userByEmail(FAY.email()).get("id").asText();
        long signIns = signIns(fayId);

        // the same token at REST: no second sign-in
        assertThat(bearer("/api/users/current", token).statusCode()).isEqualTo(200);
        assertThat(bearer("/api/users/current", token).statusCode()).isEqualTo(200);
        String another = OidcTestProvider.shared(PROVIDER).signIn("fay", "fay-pw").accessToken();
        assertThat(bearer("/api/users/current", another).statusCode()).isEqualTo(200);

        await().atMost(WAIT).untilAsserted(() -> assertThat(signIns(fayId)).isEqualTo(signIns + 1));
        assertThat(signIns).as("the device login's token was a sign-in").isPositive();
    }

    @Test
    void forgedUnconfiguredAndExpiredTokensAndBlockedUsersAreRefusedAndAppendNothing() throws Exception {
        configure();
        // Gus is provisioned by a first sign-in, then blocked by the owner.
        String first = OidcTestProvider.shared(PROVIDER).signIn("gus", "gus-pw").accessToken();
        fleet.newPeer(grpcServer.port()).loginWithJwt(first, "gus-first-" + RUN);
        JsonNode gus = userByEmail(GUS.email());
        assertThat(http.put("/api/users/" + gus.get("id").asText(), http.adminToken(),
                Map.of("role", "user", "auto_groups", List.of(), "is_blocked", true)).status()).isEqualTo(200);
        String blocked = OidcTestProvider.shared(PROVIDER).signIn("gus", "gus-pw").accessToken();
        String expired = OidcTestProvider.shared(LAGGING).signIn("fay", "fay-pw").accessToken();
        String unconfigured = OidcTestProvider.shared(STRANGER).signIn("fay", "fay-pw").accessToken();
        String forged = forgedEmbeddedToken();

        long before = events();
        TestPeer device = fleet.newPeer(grpcServer.port());
        assertStatus(() -> device.loginWithJwt(forged, "forged-" + RUN),
                "INVALID_ARGUMENT: invalid jwt token, err: token is signed with a key its issuer does not have (unknown kid)");
        assertStatus(() -> device.loginWithJwt(unconfigured, "stranger-" + RUN), "INVALID_ARGUMENT: invalid jwt token, "
                + "err: token issuer is not the embedded identity provider nor a configured one");
        assertStatus(() -> device.loginWithJwt(expired, "expired-" + RUN),
                "INVALID_ARGUMENT: invalid jwt token, err: token expired");
        assertStatus(() -> device.loginWithJwt(blocked, "blocked-" + RUN), "PERMISSION_DENIED: user is blocked");
        assertThat(events()).as("no refusal appends an event").isEqualTo(before);
    }

    /**
     * The device flow as NetBird's client runs it with what GetDeviceAuthorizationFlow says, while a person signs
     * in on the verification page and approves the code; the access token the client then sends as Login's JWT.
     */
    private String deviceFlow(TestPeer device) throws Exception {
        ProviderConfig config = device.open(device.blocking.getDeviceAuthorizationFlow(
                device.seal(DeviceAuthorizationFlowRequest.getDefaultInstance())), DeviceAuthorizationFlow.parser())
                .getProviderConfig();
        IdpBrowser client = new IdpBrowser(http.port());
        HttpResponse<String> started = client.postForm(config.getDeviceAuthEndpoint(), Map.of(
                "client_id", config.getClientID(), "audience", config.getAudience(), "scope", config.getScope()));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        JsonNode authorization = JSON.readTree(started.body());
        assertThat(authorization.get("interval").asInt()).isPositive();

        IdpBrowser person = new IdpBrowser(URI.create(issuer.issuer()), null);
        assertThat(person.signIn(OWNER, OWNER_PASSWORD, null).statusCode()).isEqualTo(302);
        HttpResponse<String> consent = person.follow(person.get(
                authorization.get("verification_uri_complete").asText()));
        assertThat(consent.statusCode()).isEqualTo(200);
        HttpResponse<String> approved = person.follow(person.submitFirstForm(consent.body()));
        assertThat(approved.body()).contains("Device signed in");

        HttpResponse<String> tokens = client.postForm(config.getTokenEndpoint(), Map.of(
                "grant_type", "urn:ietf:params:oauth:grant-type:device_code", "client_id", config.getClientID(),
                "device_code", authorization.get("device_code").asText()));
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        String accessToken = JSON.readTree(tokens.body()).get("access_token").asText();
        // what NetBird's client checks before it sends the token
        assertThat(SignedJWT.parse(accessToken).getJWTClaimsSet().getAudience()).contains(config.getAudience());
        return accessToken;
    }

    /** A token claiming to be the embedded provider's, signed with a key it never had. */
    private String forgedEmbeddedToken() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("forger").generate();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer.issuer()).audience(issuer.audience())
                .subject(owner().get("id").asText()).issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("forger").build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /**
     * Runs the registration with the account's clock a day and an hour behind, so that the peer's login is due now.
     * (Not the sweeper's clock ahead instead: an event stamped in the future would end every as-of read of this
     * shared account before it, for the rest of the suite.)
     */
    private static void registeredADayAndAnHourAgo(Runnable registration) {
        Clock original = GenericEventMessage.clock;
        GenericEventMessage.clock = Clock.offset(Clock.systemUTC(), Duration.ofHours(-25));
        try {
            registration.run();
        } finally {
            GenericEventMessage.clock = original;
        }
    }

    /** The sweeper's ExpirePeerLogin, now. */
    private void expireAsTheSweeperWould(String peerId) {
        String accountId = jdbc.queryForObject("SELECT account_id FROM rm_peers WHERE id = ?", String.class, peerId);
        Boolean expired = gateway.sendAndWait(GenericCommandMessage.asCommandMessage(
                new ExpirePeerLogin(accountId, peerId, PeerExpiry.LOGIN))
                .andMetaData(MetaData.from(Actor.SYSTEM.toMetadata())));
        assertThat(expired).as("a user's peer has login expiration on, and its login is a day and an hour old")
                .isTrue();
    }

    private JsonNode peerById(String peerId) {
        return http.get("/api/peers/" + peerId, http.adminToken()).json();
    }

    private JsonNode auditOf(String activityCode, String targetId) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(WAIT).until(() -> {
            for (JsonNode e : http.get("/api/events/audit?page_size=500", http.adminToken()).json()) {
                if (e.get("activity_code").asText().equals(activityCode)
                        && e.get("target_id").asText().equals(targetId)) {
                    found[0] = e;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private long signIns(String userId) {
        long count = 0;
        for (JsonNode e : http.get("/api/events/audit?page_size=500", http.adminToken()).json()) {
            if (e.get("activity_code").asText().equals("dashboard.login") && e.get("target_id").asText().equals(userId)) {
                count++;
            }
        }
        return count;
    }

    private HttpResponse<String> bearer(String path, String jwt) {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(http.uri(path))
                    .header("Authorization", "Bearer " + jwt).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private synchronized void configure() {
        if (configured) {
            return;
        }
        for (Spec spec : List.of(PROVIDER, LAGGING)) {
            OidcTestProvider provider = OidcTestProvider.shared(spec);
            TestHttp.Response created = http.post("/api/identity-providers", http.adminToken(),
                    Map.of("type", "oidc", "name", spec.name() + " " + RUN, "issuer", provider.issuer(),
                            "client_id", provider.clientId(), "client_secret", provider.clientSecret()));
            assertThat(created.status()).as(created.toString()).isEqualTo(200);
        }
        configured = true;
    }

    private JsonNode owner() {
        return userByEmail(OWNER);
    }

    private JsonNode userByEmail(String email) {
        for (JsonNode user : http.get("/api/users", http.adminToken()).json()) {
            if (email.equals(user.get("email").asText())) {
                return user;
            }
        }
        throw new AssertionError("no user " + email);
    }

    /** Sets the owner's auto-groups for this test and puts the old ones back after it. */
    private void setAutoGroups(JsonNode owner, List<String> groups) {
        List<String> old = new ArrayList<>();
        owner.get("auto_groups").forEach(g -> old.add(g.asText()));
        String path = "/api/users/" + owner.get("id").asText();
        assertThat(http.put(path, http.adminToken(), Map.of("role", "owner", "auto_groups", groups,
                "is_blocked", false)).status()).isEqualTo(200);
        restore.add(() -> http.put(path, http.adminToken(), Map.of("role", "owner", "auto_groups", old,
                "is_blocked", false)));
    }

    private long events() {
        http.adminToken();
        return jdbc.queryForObject("SELECT count(*) FROM domain_event_entry", Long.class);
    }

    private static void assertStatus(Supplier<?> call, String expected) {
        assertThatThrownBy(call::get).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode() + ": " + e.getStatus().getDescription()).isEqualTo(expected));
    }
}

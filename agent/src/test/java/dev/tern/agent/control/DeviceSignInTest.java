package dev.tern.agent.control;

import dev.tern.agent.common.AgentException;
import dev.tern.agent.common.Backoff;
import dev.tern.agent.common.TlsTrust;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.PeerSystemMeta;
import dev.tern.protocol.management.ProviderConfig;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.signal.tls.Certificates;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code tern up} without a setup key: the agent asks the management server for its device flow (sealed
 * GetDeviceAuthorizationFlow), runs it against an HTTPS stand-in of the identity provider whose certificate only
 * the --ca-file vouches for, and logs in with the token. Pauses between polls are recorded, not slept: a clock the
 * pauses move decides when the code expires.
 */
class DeviceSignInTest {
    private static final String URL_WITH_CODE = "https://idp.test/device?user_code=WDJB-MJHT";

    @TempDir
    Path dir;

    private final String name = "device-" + System.nanoTime();
    private final FakeManagementServer fake = new FakeManagementServer();
    private final X25519KeyPair peer = NaclBox.generateKeyPair();
    private final List<String> prompts = new CopyOnWriteArrayList<>();
    private final List<Duration> pauses = new CopyOnWriteArrayList<>();
    private final AtomicLong now = new AtomicLong();
    private FakeDeviceIdp idp;
    private Server server;
    private ManagedChannel channel;
    private ManagementClient client;
    private Thread loop;

    @BeforeEach
    void start() throws Exception {
        idp = new FakeDeviceIdp();
        server = InProcessServerBuilder.forName(name).addService(fake).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        fake.deviceFlow = ProviderConfig.newBuilder().setClientID("tern-cli").setAudience("tern-api")
                .setDeviceAuthEndpoint(idp.url("/device_authorization")).setTokenEndpoint(idp.url("/token"))
                .setScope("profile email").build();
        fake.tokenUsers.put("jwt-of-alice", "alice");
        fake.tokenUsers.put("second-jwt-of-alice", "alice");
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        if (loop != null) {
            loop.join(5000);
        }
        channel.shutdownNow();
        server.shutdownNow();
        idp.close();
    }

    private TlsTrust idpCa() {
        Path file = dir.resolve("ca.pem");
        Certificates.writePem(file, dir.resolve("ca.key"), idp.ca.keys(), List.of(idp.ca.certificate()));
        return TlsTrust.fromCaFile(file);
    }

    private DeviceSignIn signIn(TlsTrust trust) {
        return new DeviceSignIn(trust, (url, code) -> prompts.add(url + " " + code), delay -> {
            pauses.add(delay);
            now.addAndGet(delay.toNanos());
        }, now::get);
    }

    private ManagementClient client(String setupKey, DeviceSignIn signIn) {
        client = new ManagementClient(channel, peer, setupKey, PeerSystemMeta.newBuilder().setHostname("laptop").build(),
                new ServerKeyPin(dir.resolve("server.pub"), dir.toString(), false), new ManagementClient.Listener() {
            @Override
            public void onLogin(LoginResponse response) {
            }

            @Override
            public void onNetworkMap(SyncResponse response) {
            }

            @Override
            public void onStateChange(String state, String error) {
            }
        }, signIn);
        return client;
    }

    @Test
    void withoutASetupKeyTheUserSignsInOnTheDeviceAndTheTokenRegistersThePeerToThem() {
        idp.tokenAnswers.add(FakeDeviceIdp.error("authorization_pending"));
        idp.tokenAnswers.add(FakeDeviceIdp.error("slow_down"));
        idp.tokenAnswers.add(FakeDeviceIdp.token("jwt-of-alice"));

        LoginResponse response = client(null, signIn(idpCa())).login();

        assertThat(response.getPeerConfig().getAddress()).isEqualTo("100.64.0.7/16");
        assertThat(prompts).containsExactly(URL_WITH_CODE + " WDJB-MJHT");
        assertThat(idp.deviceForms).containsExactly(Map.of("client_id", "tern-cli", "audience", "tern-api",
                "scope", "profile email"));
        assertThat(idp.tokenForms).hasSize(3).allSatisfy(form -> assertThat(form).isEqualTo(Map.of(
                "client_id", "tern-cli", "grant_type", "urn:ietf:params:oauth:grant-type:device_code",
                "device_code", "DEVICE-CODE-SECRET")));
        // the provider's interval (2 s) before each poll, 5 s more after slow_down
        assertThat(pauses).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(7));
        // denied without anything, then in with the token and no setup key
        assertThat(fake.loginJwtTokens).containsExactly("", "jwt-of-alice");
        assertThat(fake.loginSetupKeys).containsExactly("", "");
        assertThat(fake.peerUsers).containsEntry(peer.publicKeyBase64(), "alice");
    }

    @Test
    void aProviderThatNamesNoIntervalIsPolledEveryFiveSecondsAndTheIdTokenGoesWhenTheServerAsksForIt() {
        idp.deviceAnswer = new FakeDeviceIdp.Answer(200, """
                {"device_code":"DEVICE-CODE-SECRET","user_code":"WDJB-MJHT","verification_uri":"https://idp.test/device"}""");
        idp.tokenAnswers.add(new FakeDeviceIdp.Answer(200, "{\"access_token\":\"not-this\",\"id_token\":\"jwt-of-alice\"}"));
        fake.deviceFlow = fake.deviceFlow.toBuilder().setUseIDToken(true).setAudience("").setScope("").build();

        client(null, signIn(idpCa())).login();

        // without verification_uri_complete the plain URL and the code are shown
        assertThat(prompts).containsExactly("https://idp.test/device WDJB-MJHT");
        // no audience when the server names none; NetBird's client asks for "openid" when it names no scope
        assertThat(idp.deviceForms).containsExactly(Map.of("client_id", "tern-cli", "scope", "openid"));
        assertThat(pauses).containsExactly(DeviceSignIn.DEFAULT_INTERVAL);
        assertThat(fake.loginJwtTokens).containsExactly("", "jwt-of-alice");
    }

    @Test
    void aDeniedSignInAnExpiredCodeAndACodeThatOutlivesItsExpiryEndWithAClearErrorAndNoLogin() {
        idp.tokenAnswers.add(FakeDeviceIdp.error("access_denied"));
        assertThatThrownBy(() -> client(null, signIn(idpCa())).login())
                .isInstanceOf(AgentException.class).hasMessageContaining("sign-in was denied")
                .hasMessageNotContaining("DEVICE-CODE-SECRET")
                .satisfies(e -> assertThat(((AgentException) e).exitCode()).isEqualTo(AgentException.MANAGEMENT));

        idp.tokenAnswers.add(FakeDeviceIdp.error("expired_token"));
        assertThatThrownBy(() -> client(null, signIn(idpCa())).login())
                .isInstanceOf(AgentException.class).hasMessageContaining("sign-in code expired")
                .hasMessageContaining("run tern up again");

        // expires_in 3 s, interval 2 s: one poll (pending), and the second pause ends past the expiry
        idp.deviceAnswer = new FakeDeviceIdp.Answer(200, """
                {"device_code":"DEVICE-CODE-SECRET","user_code":"WDJB-MJHT","verification_uri":"https://idp.test/device",
                 "expires_in":3,"interval":2}""");
        int pollsBefore = idp.tokenForms.size();
        assertThatThrownBy(() -> client(null, signIn(idpCa())).login())
                .isInstanceOf(AgentException.class).hasMessageContaining("sign-in code expired");
        assertThat(idp.tokenForms.size() - pollsBefore).isEqualTo(1);

        idp.tokenAnswers.add(new FakeDeviceIdp.Answer(400, "{\"error\":\"invalid_client\",\"error_description\":\"no such client\"}"));
        assertThatThrownBy(() -> client(null, signIn(idpCa())).login())
                .isInstanceOf(AgentException.class).hasMessageContaining("refused the sign-in: HTTP 400 invalid_client (no such client)");

        assertThat(fake.loginJwtTokens).containsOnly("");
        assertThat(fake.registered).isEmpty();
    }

    @Test
    void theProvidersCertificateMustChainToTheCaFileAndItsAnswersAreBounded() {
        assertThatThrownBy(() -> client(null, signIn(TlsTrust.system())).login())
                .isInstanceOf(AgentException.class).hasMessageContaining("cannot reach the identity provider at "
                        + idp.url("/device_authorization"));
        assertThat(idp.deviceForms).as("nothing sent to a provider we cannot verify").isEmpty();

        idp.deviceAnswer = new FakeDeviceIdp.Answer(200, "{\"pad\":\"" + "x".repeat(DeviceSignIn.MAX_ANSWER_BYTES) + "\"}");
        assertThatThrownBy(() -> client(null, signIn(idpCa())).login())
                .isInstanceOf(AgentException.class).hasMessageContaining("answered with more than 65536 bytes");
        assertThat(prompts).isEmpty();
    }

    @Test
    void aServerWithoutDeviceLoginLeavesThePeerNeedingASetupKey() {
        fake.deviceFlow = null;

        assertThatThrownBy(() -> client(null, signIn(idpCa())).login())
                .isInstanceOf(ManagementClient.LoginRequiredException.class)
                .hasMessageContaining("run tern up with --setup-key").hasMessageContaining("no device login");
        assertThat(idp.deviceForms).isEmpty();
    }

    @Test
    void aTokenTheServerRefusesIsReportedAndNothingIsRegistered() {
        idp.tokenAnswers.add(FakeDeviceIdp.token("jwt-nobody-issued"));

        assertThatThrownBy(() -> client(null, signIn(idpCa())).login())
                .isInstanceOf(ManagementClient.LoginRequiredException.class)
                .hasMessageContaining("refused the sign-in: INVALID_ARGUMENT invalid jwt token");
        assertThat(fake.registered).isEmpty();
    }

    @Test
    void withASetupKeyNothingChangesAndTheDeviceFlowIsNeverAsked() {
        client(FakeManagementServer.SETUP_KEY, signIn(idpCa())).login();

        assertThat(fake.loginSetupKeys).containsExactly("", FakeManagementServer.SETUP_KEY);
        assertThat(fake.loginJwtTokens).containsOnly("");
        assertThat(idp.deviceForms).isEmpty();
        assertThat(prompts).isEmpty();
    }

    @Test
    void aRunningAgentWhoseLoginExpiresShowsANewSignInAndResumesWithTheNewToken() {
        idp.tokenAnswers.add(FakeDeviceIdp.token("jwt-of-alice"));
        ManagementClient c = client(null, signIn(idpCa()));
        loop = new Thread(() -> c.runSyncLoop(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), false));
        loop.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));
        assertThat(prompts).hasSize(1);

        idp.tokenAnswers.add(FakeDeviceIdp.token("second-jwt-of-alice"));
        fake.expire(peer.publicKeyBase64());

        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));
        assertThat(prompts).hasSize(2);
        assertThat(fake.expired).isEmpty();
        assertThat(fake.loginJwtTokens).containsSubsequence("jwt-of-alice", "", "second-jwt-of-alice");
        assertThat(fake.loginSetupKeys).containsOnly("");
    }
}

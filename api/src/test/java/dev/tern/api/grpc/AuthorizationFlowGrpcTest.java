package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.TernSettings;
import dev.tern.api.datapath.EmbeddedDataPathNode;
import dev.tern.api.datapath.PeerDataPathConfig;
import dev.tern.api.grpc.SyncStreamTest.RecordingStatusStore;
import dev.tern.api.idp.DeviceLoginSettings;
import dev.tern.api.tls.ListenerTls;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.management.DeviceAuthorizationFlow;
import dev.tern.protocol.management.DeviceAuthorizationFlowRequest;
import dev.tern.protocol.management.PKCEAuthorizationFlow;
import dev.tern.protocol.management.PKCEAuthorizationFlowRequest;
import dev.tern.protocol.management.ProviderConfig;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GetDeviceAuthorizationFlow and GetPKCEAuthorizationFlow over a real gRPC server (no Spring): the embedded
 * provider's settings as NetBird's client needs them, NOT_FOUND (NetBird's answer) without a provider, and, without
 * TERN_REST_URL, NOT_FOUND with the reason for a client that is not on this host (the endpoints would name its own
 * localhost).
 */
class AuthorizationFlowGrpcTest {
    private static final String LOCAL_ISSUER = "http://localhost:8080/oauth2";
    private static final String PUBLIC_ISSUER = "https://tern.example/oauth2";

    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private ManagementGrpcServer server;
    private TestPeer peer;

    @AfterEach
    void stop() throws InterruptedException {
        if (peer != null) {
            peer.close();
        }
        if (server != null) {
            server.stop();
        }
        executor.shutdownNow();
    }

    @Test
    void theDeviceFlowIsTheEmbeddedProvidersWithAScopeSpringAcceptsForADeviceCode() {
        peer = new TestPeer(start(new DeviceLoginSettings("tern-cli", () -> LOCAL_ISSUER, false)));

        DeviceAuthorizationFlow flow = peer.open(peer.blocking.getDeviceAuthorizationFlow(
                peer.seal(DeviceAuthorizationFlowRequest.getDefaultInstance())), DeviceAuthorizationFlow.parser());

        assertThat(flow.getProvider()).isEqualTo(DeviceAuthorizationFlow.provider.HOSTED);
        ProviderConfig config = flow.getProviderConfig();
        assertThat(config.getClientID()).isEqualTo("tern-cli");
        assertThat(config.getAudience()).isEqualTo("tern-api");
        assertThat(config.getDeviceAuthEndpoint()).isEqualTo(LOCAL_ISSUER + "/device_authorization");
        assertThat(config.getTokenEndpoint()).isEqualTo(LOCAL_ISSUER + "/token");
        // NetBird's client turns an empty scope into "openid", which Spring refuses for a device code
        assertThat(config.getScope()).isNotBlank().doesNotContain("openid");
        assertThat(config.getUseIDToken()).isFalse();
        assertThat(config.getClientSecret()).isEmpty();
    }

    @Test
    void theBrowserFlowSendsThePersonBackToNetBirdsLoopbackListener() {
        peer = new TestPeer(start(new DeviceLoginSettings("tern-cli", () -> LOCAL_ISSUER, false)));

        PKCEAuthorizationFlow flow = peer.open(peer.blocking.getPKCEAuthorizationFlow(
                peer.seal(PKCEAuthorizationFlowRequest.getDefaultInstance())), PKCEAuthorizationFlow.parser());

        ProviderConfig config = flow.getProviderConfig();
        assertThat(config.getClientID()).isEqualTo("tern-cli");
        assertThat(config.getAudience()).isEqualTo("tern-api");
        assertThat(config.getAuthorizationEndpoint()).isEqualTo(LOCAL_ISSUER + "/authorize");
        assertThat(config.getTokenEndpoint()).isEqualTo(LOCAL_ISSUER + "/token");
        assertThat(config.getScope().split(" ")).contains("openid");
        assertThat(config.getRedirectURLsList())
                .containsExactly("http://localhost:53000/", "http://localhost:54000/");
        assertThat(config.getUseIDToken()).isFalse();
        assertThat(config.getLoginFlag()).as("prompt=login, as NetBird's embedded IdP").isZero();
    }

    @Test
    void withoutAProviderBothFlowsAreNotFoundAsAtNetBird() {
        peer = new TestPeer(start(null));

        assertStatus(() -> peer.blocking.getDeviceAuthorizationFlow(
                        peer.seal(DeviceAuthorizationFlowRequest.getDefaultInstance())),
                "NOT_FOUND: no device authorization flow information available; use a setup key");
        assertStatus(() -> peer.blocking.getPKCEAuthorizationFlow(
                        peer.seal(PKCEAuthorizationFlowRequest.getDefaultInstance())),
                "NOT_FOUND: no pkce authorization flow information available; use a setup key");
    }

    @Test
    void withoutTernRestUrlAClientOnAnotherHostIsToldWhyThereIsNoFlow() {
        int port = start(new DeviceLoginSettings("tern-cli", () -> LOCAL_ISSUER, false));
        peer = new TestPeer(nonLoopbackAddress(), port);

        assertStatus(() -> peer.blocking.getDeviceAuthorizationFlow(
                        peer.seal(DeviceAuthorizationFlowRequest.getDefaultInstance())),
                "NOT_FOUND: " + ManagementService.NEEDS_REST_URL);
        assertStatus(() -> peer.blocking.getPKCEAuthorizationFlow(
                        peer.seal(PKCEAuthorizationFlowRequest.getDefaultInstance())),
                "NOT_FOUND: " + ManagementService.NEEDS_REST_URL);
        assertThat(ManagementService.NEEDS_REST_URL).contains("TERN_REST_URL");
    }

    @Test
    void withTernRestUrlAClientOnAnotherHostGetsThePublicEndpoints() {
        int port = start(new DeviceLoginSettings("tern-cli", () -> PUBLIC_ISSUER, true));
        peer = new TestPeer(nonLoopbackAddress(), port);

        DeviceAuthorizationFlow flow = peer.open(peer.blocking.getDeviceAuthorizationFlow(
                peer.seal(DeviceAuthorizationFlowRequest.getDefaultInstance())), DeviceAuthorizationFlow.parser());

        assertThat(flow.getProviderConfig().getDeviceAuthEndpoint()).isEqualTo(PUBLIC_ISSUER + "/device_authorization");
    }

    @Test
    void aBodyThatDoesNotOpenIsInvalid() {
        peer = new TestPeer(start(new DeviceLoginSettings("tern-cli", () -> LOCAL_ISSUER, false)));
        TestPeer other = new TestPeer(server.port());
        try {
            var garbage = other.seal(DeviceAuthorizationFlowRequest.getDefaultInstance()).toBuilder()
                    .setWgPubKey(peer.publicKey()).build();
            assertThatThrownBy(() -> peer.blocking.getDeviceAuthorizationFlow(garbage))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.INVALID_ARGUMENT));
        } finally {
            closeQuietly(other);
        }
    }

    private int start(DeviceLoginSettings deviceLogin) {
        TernSettings settings = TernSettings.from(Map.of(), Map.of("tern.data-dir", "target/authorization-flow-test",
                "tern.signal-url", "http://signal.test:10000")::get);
        PeerDataPathConfig dataPath = new PeerDataPathConfig(settings,
                new EmbeddedDataPathNode(settings, ListenerTls.plaintext(), Clock.systemUTC()));
        ServerKeyStore.ServerKey serverKey = new ServerKeyStore.ServerKey(NaclBox.generateKeyPair(), 1);
        ManagementService service = new ManagementService(serverKey, null, null, deviceLogin,
                new NetworkMapProjector(), dataPath, new SyncSessions(new RecordingStatusStore(), Clock.systemUTC()),
                executor, () -> true, Clock.systemUTC(), GrpcLimits.CLIENT_RECEIVE_LIMIT);
        server = new ManagementGrpcServer(0, service, new SyncSessions(new RecordingStatusStore(), Clock.systemUTC()),
                List.of(), executor, Duration.ofSeconds(30), Duration.ofSeconds(30), GrpcLimits.defaults());
        server.start();
        return server.port();
    }

    /** An address of this host other than loopback, so that the server sees a remote caller. */
    private static String nonLoopbackAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()
                            && !address.isLinkLocalAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException(e);
        }
        throw new AssertionError("this test needs an IPv4 address other than loopback on an interface that is up");
    }

    private static void assertStatus(Runnable call, String expected) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode() + ": " + e.getStatus().getDescription()).isEqualTo(expected));
    }

    private static void closeQuietly(TestPeer peer) {
        try {
            peer.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.projector.NetworkMapEventHandler;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.testsupport.peer.NetBirdLogin;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * NetBird's client sends a Login again with the very same encrypted body when the first attempt failed transiently
 * or ran past its deadline. The replay guard must not take those retries for replays, while a Login that was
 * answered stays refused when sent again.
 */
@TernIntegrationTest
class LoginRetryGrpcTest {
    @Autowired
    TestHttp http;
    @Autowired
    ManagementGrpcServer grpcServer;
    @Autowired
    EventProcessingConfiguration processing;

    /** Every peer a test opens, closed after it. */
    @RegisterExtension
    final TestPeer.Fleet fleet = new TestPeer.Fleet();

    @Test
    void theSameLoginBodyIsServedAfterATimedOutAttemptButRefusedOnceAnswered() {
        TestHttp.Response key = http.post("/api/setup-keys", http.adminToken(), Map.of("name",
                "retry-" + System.nanoTime(), "type", "reusable", "expires_in", 86400, "auto_groups", List.of(),
                "usage_limit", 0));
        assertThat(key.status()).as(key.toString()).isEqualTo(200);
        TestPeer peer = fleet.newPeer(grpcServer.port());
        String hostname = "retry-" + System.nanoTime();
        TrackingEventProcessor maps = processing.eventProcessorByProcessingGroup(
                NetworkMapEventHandler.PROCESSING_GROUP, TrackingEventProcessor.class).orElseThrow();
        // a fresh server loads its maps first; until then every unknown key is told to retry
        TestPeer stranger = fleet.newPeer(grpcServer.port());
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            try {
                stranger.login("", "stranger");
                return false;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode() == Status.Code.PERMISSION_DENIED;
            }
        });
        EncryptedMessage knownLogin;
        maps.shutDown();
        try {
            // registered, but the projector is stopped: a known-peer Login waits for the peer's map
            peer.login(key.json().get("key").asText(), hostname);
            knownLogin = peer.seal(NetBirdLogin.request("", hostname, peer.publicKey()));
            EncryptedMessage sent = knownLogin;
            assertThatThrownBy(() -> peer.blocking.withDeadlineAfter(1, TimeUnit.SECONDS).login(sent))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        } finally {
            maps.start();
        }
        // The server finishes the abandoned call once the map is there; the retry with the same body is served.
        EncryptedMessage retry = knownLogin;
        LoginResponse[] answer = new LoginResponse[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() ->
                answer[0] = peer.open(peer.blocking.login(retry), LoginResponse.parser()));
        assertThat(answer[0].getPeerConfig().getFqdn()).startsWith(hostname + ".");

        // answered once: the same body again is a replay
        assertThatThrownBy(() -> peer.blocking.login(retry))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("replayed message");
                });
    }
}

package dev.tern.agent.engine;

import dev.tern.agent.common.Backoff;
import dev.tern.agent.control.FakeSignalServer;
import dev.tern.agent.control.SignalClient;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two engines exchange endpoints through a routing-only signal node, bodies sealed end to end. */
class SignalExchangeTest {
    private final String name = "signal-" + System.nanoTime();
    private final FakeSignalServer node = new FakeSignalServer();
    private Server server;
    private ManagedChannel channel;
    private SignalClient clientA;
    private SignalClient clientB;

    @AfterEach
    void stop() {
        if (clientA != null) {
            clientA.close();
        }
        if (clientB != null) {
            clientB.close();
        }
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void peersLearnEachOthersEndpointOverSignal() throws Exception {
        server = InProcessServerBuilder.forName(name).addService(node.withHeaderRegistration()).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        X25519KeyPair a = NaclBox.generateKeyPair();
        X25519KeyPair b = NaclBox.generateKeyPair();
        FakeDataPlane planeA = new FakeDataPlane();
        FakeDataPlane planeB = new FakeDataPlane();
        Engine[] engines = new Engine[2];
        clientA = new SignalClient(channel, a, listener(engines, 0), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)));
        clientB = new SignalClient(channel, b, listener(engines, 1), new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)));
        engines[0] = new Engine(planeA, 51820, () -> List.of(new Candidates.LocalAddress("10.77.0.1", 24)),
                clientA::send, Clock.systemUTC());
        engines[1] = new Engine(planeB, 51821, () -> List.of(new Candidates.LocalAddress("10.77.0.2", 24)),
                clientB::send, Clock.systemUTC());
        clientA.start();
        clientB.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> node.streams.size() == 2);

        engines[0].applyMap(new MeshMap(1, "100.64.0.1/16", "a", List.of(
                new MeshMap.RemotePeer(b.publicKeyBase64(), List.of("100.64.0.2/32"), "b.tern.internal")), List.of()));
        engines[1].applyMap(new MeshMap(1, "100.64.0.2/16", "b", List.of(
                new MeshMap.RemotePeer(a.publicKeyBase64(), List.of("100.64.0.1/32"), "a.tern.internal")), List.of()));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(planeA.endpointOf(b.publicKeyBase64())).isEqualTo("10.77.0.2:51821");
            assertThat(planeB.endpointOf(a.publicKeyBase64())).isEqualTo("10.77.0.1:51820");
        });
        // the node routed sealed bodies only: no candidate text is visible to it
        assertThat(node.seen).isNotEmpty().allSatisfy(m -> assertThat(m.getBody().toStringUtf8()).doesNotContain("10.77.0."));
    }

    private static SignalClient.Listener listener(Engine[] engines, int index) {
        return new SignalClient.Listener() {
            @Override
            public void onMessage(String senderKey, dev.tern.protocol.signal.Body body) {
                if (engines[index] != null) {
                    engines[index].onSignal(senderKey, body);
                }
            }

            @Override
            public void onConnected() {
                if (engines[index] != null) {
                    engines[index].onSignalConnected();
                }
            }

            @Override
            public void onStateChange(String state, String error) {
            }
        };
    }
}

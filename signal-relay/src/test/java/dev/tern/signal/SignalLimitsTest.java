package dev.tern.signal;

import com.google.protobuf.ByteString;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The node-wide stream limit, on an in-process transport (where every client shares one "connection"). */
class SignalLimitsTest {
    private SignalExchangeService service;
    private Server server;
    private ManagedChannel channel;

    private void start(SignalLimits limits) throws Exception {
        service = new SignalExchangeService(limits);
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(service).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    @AfterEach
    void stop() throws Exception {
        if (channel == null) {
            return;
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void streamsBeyondTheNodeLimitAreRefusedWithResourceExhaustedUntilOneEnds() throws Exception {
        start(SignalLimits.defaults().withStreams(2, 100));
        TestPeer alice = connected(new TestPeer().connect(channel));
        TestPeer bob = connected(new TestPeer().connect(channel));

        TestPeer carol = new TestPeer().connect(channel);

        Status refused = carol.closed.get(5, TimeUnit.SECONDS);
        assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getDescription()).contains("maximum of 2 streams");
        assertThat(service.isConnected(carol.key())).isFalse();
        assertThat(service.isConnected(alice.key())).isTrue();
        assertThat(service.isConnected(bob.key())).isTrue();

        alice.hangUp();
        await().atMost(Duration.ofSeconds(5)).until(() -> service.openStreams() == 1);
        TestPeer dave = connected(new TestPeer().connect(channel));
        assertThat(service.isConnected(dave.key())).isTrue();
    }

    @Test
    void refusedStreamsDoNotLeakSlots() throws Exception {
        start(SignalLimits.defaults().withStreams(1, 100));
        TestPeer alice = connected(new TestPeer().connect(channel));
        for (int i = 0; i < 5; i++) {
            assertThat(new TestPeer().connect(channel).closed.get(5, TimeUnit.SECONDS).getCode())
                    .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        }
        alice.hangUp();
        await().atMost(Duration.ofSeconds(5)).until(() -> service.openStreams() == 0);
        connected(new TestPeer().connect(channel));
        assertThat(service.openStreams()).isEqualTo(1);
    }

    @Test
    void messagesAboveTheSizeLimitAreRefused() throws Exception {
        // The in-process transport skips size checks, so this one runs over loopback.
        try (SignalServer node = new SignalServer(new java.net.InetSocketAddress("127.0.0.1", 0)).start()) {
            ManagedChannel loopback = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", node.port())
                    .usePlaintext().build();
            try {
                TestPeer bob = new TestPeer().connect(loopback);
                await().atMost(Duration.ofSeconds(10)).until(() -> node.service().isConnected(bob.key()));
                int limit = SignalLimits.defaults().maxMessageBytes();
                assertThatThrownBy(() -> SignalExchangeGrpc.newBlockingStub(loopback)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .send(EncryptedMessage.newBuilder().setRemoteKey(bob.key())
                                .setBody(ByteString.copyFrom(new byte[limit + 1])).build()))
                        .satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
                                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
                assertThat(bob.received).isEmpty();
            } finally {
                loopback.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void allQueuesTogetherStayWithinTheNodesByteBudgetKeepingTheNewestMessages() throws Exception {
        long budget = 4096;
        start(new SignalLimits(100, 100, 100, 1024, 1000, budget));
        TestPeer slow = connected(new TestPeer().connectWithoutReading(channel));
        var stub = SignalExchangeGrpc.newBlockingStub(channel);
        int flood = 200;
        long largestQueue = 0;
        for (int i = 0; i < flood; i++) {
            stub.send(EncryptedMessage.newBuilder().setRemoteKey(slow.key())
                    .setBody(ByteString.copyFromUtf8(String.format("message %03d %s", i, "x".repeat(100)))).build());
            largestQueue = Math.max(largestQueue, service.queuedBytes());
        }
        assertThat(largestQueue).isLessThanOrEqualTo(budget);

        slow.startReading();

        await().atMost(Duration.ofSeconds(5)).until(() -> service.queuedBytes() == 0 && !slow.received.isEmpty());
        java.util.List<String> got = slow.received.stream().map(m -> m.getBody().toStringUtf8().substring(0, 11))
                .toList();
        int kept = got.size();
        assertThat(kept).isBetween(1, (int) (budget / 100));
        java.util.List<String> newest = java.util.stream.IntStream.range(flood - kept, flood)
                .mapToObj(i -> String.format("message %03d", i)).toList();
        assertThat(got).containsExactlyElementsOf(newest);
    }

    @Test
    void limitsComeFromTheEnvironmentWithClearErrors() {
        SignalLimits limits = DataPathSettings.forNode(Map.of(DataPathSettings.SIGNAL_MAX_STREAMS, "100",
                DataPathSettings.SIGNAL_MAX_STREAMS_PER_CONNECTION, "2")).signalLimits();
        assertThat(limits.maxStreams()).isEqualTo(100);
        assertThat(limits.maxStreamsPerConnection()).isEqualTo(2);
        assertThat(DataPathSettings.forNode(Map.of()).signalLimits()).isEqualTo(SignalLimits.defaults());
        assertThatThrownBy(() -> DataPathSettings.forNode(Map.of(DataPathSettings.SIGNAL_MAX_STREAMS, "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TERN_SIGNAL_MAX_STREAMS must be a number between 1 and 10000000, got '0'");
    }

    private TestPeer connected(TestPeer peer) {
        await().atMost(Duration.ofSeconds(5)).until(() -> service.isConnected(peer.key()));
        return peer;
    }
}

package dev.tern.signal;

import com.google.protobuf.ByteString;
import dev.tern.protocol.crypto.SignalMessages;
import dev.tern.protocol.signal.Body;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The signal node over a real TCP socket on loopback, through Netty on both sides. */
class SignalServerSocketTest {

    @Test
    void peersExchangeSignalsOverLoopbackAndTheServerShutsDownCleanly() throws Exception {
        NioEventLoopGroup clientLoop = new NioEventLoopGroup(1);
        SignalServer server = new SignalServer(0).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                .eventLoopGroup(clientLoop).channelType(NioSocketChannel.class).usePlaintext().build();
        try {
            TestPeer alice = new TestPeer().connect(channel);
            TestPeer bob = new TestPeer().connect(channel);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    alice.responseHeaders.get() != null && bob.responseHeaders.get() != null);
            assertThat(alice.responseHeaders.get().get(RegistrationHeaders.REGISTERED_HEADER)).isEqualTo("1");

            Body candidate = Body.newBuilder().setType(Body.Type.CANDIDATE)
                    .setPayload("candidate:1 1 udp 2130706431 192.0.2.10 51820 typ host").build();
            EncryptedMessage sealed = SignalMessages.seal(candidate, alice.keys, bob.key());
            SignalExchangeGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).send(sealed);

            assertThat(SignalMessages.open(bob.next(), bob.keys)).isEqualTo(candidate);

            server.close();

            Status aliceStream = alice.closed.get(10, TimeUnit.SECONDS);
            assertThat(aliceStream.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThatThrownBy(() -> SignalExchangeGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(2, TimeUnit.SECONDS)
                    .send(EncryptedMessage.newBuilder().setRemoteKey(bob.key())
                            .setBody(ByteString.copyFromUtf8("late")).build()))
                    .satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
                            .isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED));
        } finally {
            server.close();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void portComesFromTheEnvironmentWithAClearErrorForBadValues() {
        assertThatThrownBy(() -> DataPathSettings.forNode(Map.of("TERN_SIGNAL_PORT", "ten thousand")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TERN_SIGNAL_PORT must be a port number between 0 and 65535, got 'ten thousand'");
        assertThatThrownBy(() -> DataPathSettings.forNode(Map.of("TERN_SIGNAL_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void environmentPortIsUsed() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        try (SignalServer server = new SignalServer(
                DataPathSettings.forNode(Map.of("TERN_SIGNAL_PORT", Integer.toString(free))).signalPort())) {
            assertThat(server.start().port()).isEqualTo(free);
        }
    }

    @Test
    void occupiedPortFailsWithAReason() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            SignalServer server = new SignalServer(taken.getLocalPort());
            assertThatThrownBy(server::start)
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("cannot listen");
            server.close();
        }
    }

    @Test
    void secondStreamForALiveKeyFromAnotherConnectionIsRefusedAndTheVictimKeepsItsMessages() throws Exception {
        try (Loopback net = new Loopback()) {
            ManagedChannel victimConnection = net.channel();
            ManagedChannel attackerConnection = net.channel();
            TestPeer alice = net.connected(new TestPeer().connect(victimConnection));
            TestPeer bob = net.connected(new TestPeer().connect(victimConnection));

            TestPeer mallory = new TestPeer(alice.keys).connect(attackerConnection);

            Status refused = mallory.closed.get(10, TimeUnit.SECONDS);
            assertThat(refused.getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
            assertThat(refused.getDescription()).contains("another connection");
            EncryptedMessage message = EncryptedMessage.newBuilder().setKey(bob.key()).setRemoteKey(alice.key())
                    .setBody(ByteString.copyFromUtf8("for alice")).build();
            SignalExchangeGrpc.newBlockingStub(victimConnection).withDeadlineAfter(5, TimeUnit.SECONDS).send(message);
            assertThat(alice.next()).isEqualTo(message);
            assertThat(alice.closed).isNotDone();
            assertThat(mallory.received).isEmpty();
        }
    }

    @Test
    void aClientWhoseOldStreamHasEndedGetsBackInFromANewConnection() throws Exception {
        try (Loopback net = new Loopback()) {
            TestPeer alice = net.connected(new TestPeer().connect(net.channel()));
            alice.hangUp();

            ManagedChannel newConnection = net.channel();
            TestPeer again = new TestPeer(alice.keys).connect(newConnection);
            await().atMost(Duration.ofSeconds(10)).until(() -> again.responseHeaders.get() != null);
            TestPeer bob = net.connected(new TestPeer().connect(newConnection));
            EncryptedMessage message = EncryptedMessage.newBuilder().setKey(bob.key()).setRemoteKey(alice.key())
                    .setBody(ByteString.copyFromUtf8("welcome back")).build();
            SignalExchangeGrpc.newBlockingStub(newConnection).withDeadlineAfter(5, TimeUnit.SECONDS).send(message);
            assertThat(again.next()).isEqualTo(message);
        }
    }

    @Test
    void sendClaimingAKeyRegisteredOnAnotherConnectionIsRefused() throws Exception {
        try (Loopback net = new Loopback()) {
            ManagedChannel aliceConnection = net.channel();
            ManagedChannel attackerConnection = net.channel();
            TestPeer alice = net.connected(new TestPeer().connect(aliceConnection));
            TestPeer bob = net.connected(new TestPeer().connect(net.channel()));

            EncryptedMessage forged = EncryptedMessage.newBuilder().setKey(alice.key()).setRemoteKey(bob.key())
                    .setBody(ByteString.copyFromUtf8("forged")).build();
            assertThatThrownBy(() -> SignalExchangeGrpc.newBlockingStub(attackerConnection)
                    .withDeadlineAfter(5, TimeUnit.SECONDS).send(forged))
                    .satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
                            .isEqualTo(Status.Code.PERMISSION_DENIED));

            EncryptedMessage honest = forged.toBuilder().setBody(ByteString.copyFromUtf8("honest")).build();
            SignalExchangeGrpc.newBlockingStub(aliceConnection).withDeadlineAfter(5, TimeUnit.SECONDS).send(honest);
            assertThat(bob.next()).isEqualTo(honest);
            assertThat(bob.received).isEmpty();
        }
    }

    @Test
    void streamsBeyondThePerConnectionLimitAreRefusedWithResourceExhausted() throws Exception {
        try (Loopback net = new Loopback()) {
            ManagedChannel crowded = net.channel();
            int limit = SignalLimits.defaults().maxStreamsPerConnection();
            for (int i = 0; i < limit; i++) {
                net.connected(new TestPeer().connect(crowded));
            }

            TestPeer oneTooMany = new TestPeer().connect(crowded);

            Status refused = oneTooMany.closed.get(10, TimeUnit.SECONDS);
            assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(refused.getDescription()).contains("per connection");
            TestPeer elsewhere = net.connected(new TestPeer().connect(net.channel()));
            assertThat(net.server.service().isConnected(elsewhere.key())).isTrue();
        }
    }

    /** A signal node on loopback and any number of separate client connections to it. */
    private static final class Loopback implements AutoCloseable {
        final NioEventLoopGroup clientLoop = new NioEventLoopGroup(1);
        final SignalServer server = new SignalServer(0).start();
        final java.util.List<ManagedChannel> channels = new java.util.ArrayList<>();

        /** A new HTTP/2 connection (one channel, one subchannel, one TCP connection). */
        ManagedChannel channel() {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                    .eventLoopGroup(clientLoop).channelType(NioSocketChannel.class).usePlaintext().build();
            channels.add(channel);
            return channel;
        }

        TestPeer connected(TestPeer peer) {
            await().atMost(Duration.ofSeconds(10)).until(() -> server.service().isConnected(peer.key()));
            return peer;
        }

        @Override
        public void close() throws InterruptedException {
            server.close();
            for (ManagedChannel channel : channels) {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

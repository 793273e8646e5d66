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
        assertThatThrownBy(() -> SignalServer.fromEnvironment(Map.of("TERN_SIGNAL_PORT", "ten thousand")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TERN_SIGNAL_PORT must be a port number between 0 and 65535, got 'ten thousand'");
        assertThatThrownBy(() -> SignalServer.fromEnvironment(Map.of("TERN_SIGNAL_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void environmentPortIsUsed() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        try (SignalServer server = SignalServer.fromEnvironment(Map.of("TERN_SIGNAL_PORT", Integer.toString(free)))) {
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
}

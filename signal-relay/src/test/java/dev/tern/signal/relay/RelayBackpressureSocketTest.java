package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayTokens;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A sender far faster than its receiver, over real sockets (blocking clients, so TCP backpressure reaches the
 * sender): the relay slows the sender down and loses nothing, whether the two ends share an event loop (a pair is
 * moved onto one, {@link RelayLoops}) or not (the sender was placed with another peer first, so every frame is handed
 * over between loops).
 */
class RelayBackpressureSocketTest {
    private static final int PACKETS = 10_000;
    private static final int PACKET_SIZE = 1400;
    private final RelayTokens tokens = RelayTokens.fromSharedSecret("relay-backpressure-secret", Clock.systemUTC());
    private final PeerId alice = PeerId.ofPublicKey("alice=");
    private final PeerId bob = PeerId.ofPublicKey("bob=");

    @Test
    void aFastSenderToASlowReceiverOnItsOwnLoopIsSlowedDownAndLosesNoPacket() throws Exception {
        try (RelayServer server = startServer()) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            try (BlockingRelayClient sender = BlockingRelayClient.authenticated(address, tokens, alice);
                 BlockingRelayClient receiver = BlockingRelayClient.authenticated(address, tokens, bob)) {
                floodAndCheck(sender, receiver);
                assertThat(server.channelOf(alice).eventLoop()).as("the pair shares a loop")
                        .isSameAs(server.channelOf(bob).eventLoop());
            }
        }
    }

    @Test
    void aFastSenderToASlowReceiverOnAnotherLoopIsSlowedDownAndLosesNoPacket() throws Exception {
        try (RelayServer server = startServer()) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            PeerId carol = PeerId.ofPublicKey("carol=");
            // Accepted round robin: alice, bob and carol on loops 0, 1, 2 (with two loops: 0, 1, 0).
            try (BlockingRelayClient sender = BlockingRelayClient.authenticated(address, tokens, alice);
                 BlockingRelayClient receiver = BlockingRelayClient.authenticated(address, tokens, bob);
                 BlockingRelayClient first = BlockingRelayClient.authenticated(address, tokens, carol)) {
                sender.write(RelayFrameCodec.encode(new RelayFrame.Transport(carol, new byte[]{1})));
                sender.flush();
                assertThat(RelayFrameCodec.decode(first.read())).isInstanceOf(RelayFrame.Transport.class);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(server.channelOf(alice)
                        .eventLoop()).as("alice was placed with carol, away from bob")
                        .isSameAs(server.channelOf(carol).eventLoop())
                        .isNotSameAs(server.channelOf(bob).eventLoop()));
                floodAndCheck(sender, receiver);
                assertThat(server.channelOf(alice).eventLoop()).as("placed once: alice did not move to bob")
                        .isNotSameAs(server.channelOf(bob).eventLoop());
            }
        }
    }

    private RelayServer startServer() {
        return new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens, "rel://127.0.0.1:1").start();
    }

    /** PACKETS numbered packets from alice's client to bob's, read slower than sent: all arrive, in order. */
    private void floodAndCheck(BlockingRelayClient sender, BlockingRelayClient receiver) throws Exception {
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < PACKETS; i++) {
                    byte[] packet = ByteBuffer.allocate(PACKET_SIZE).putInt(i).array();
                    sender.write(RelayFrameCodec.encode(new RelayFrame.Transport(bob, packet)));
                    if (i % 16 == 15) {
                        sender.flush();
                    }
                }
                sender.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });

        List<Integer> received = new ArrayList<>();
        try {
            while (received.size() < PACKETS) {
                RelayFrame frame = RelayFrameCodec.decode(receiver.read());
                if (frame instanceof RelayFrame.Transport transport) {
                    assertThat(transport.peerId()).isEqualTo(alice);
                    received.add(ByteBuffer.wrap(transport.payload()).getInt());
                }
                if (received.size() % 200 == 0) {
                    Thread.sleep(5); // a receiver slower than its sender, not a timing assertion
                }
            }
        } catch (SocketTimeoutException nothingMoreArrives) {
            // packets were lost: the assertion below says how many
        }
        assertThat(received).as("packets delivered").hasSize(PACKETS);
        for (int i = 0; i < received.size(); i++) {
            assertThat(received.get(i)).as("packet %d in order", i).isEqualTo(i);
        }
        sending.get(10, TimeUnit.SECONDS);
    }
}

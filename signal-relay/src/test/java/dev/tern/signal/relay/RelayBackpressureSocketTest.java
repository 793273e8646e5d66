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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sender far faster than its receiver, over real sockets (blocking clients, so TCP backpressure reaches the
 * sender): the relay slows the sender down and loses nothing. Sender and receiver sit on different event loops
 * (connections are spread round-robin), so the hand-over between loops is what is exercised.
 */
class RelayBackpressureSocketTest {
    private static final int PACKETS = 10_000;
    private static final int PACKET_SIZE = 1400;
    private final RelayTokens tokens = RelayTokens.fromSharedSecret("relay-backpressure-secret", Clock.systemUTC());

    @Test
    void aFastSenderToASlowReceiverIsSlowedDownAndLosesNoPacket() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rel://127.0.0.1:1").start()) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            PeerId alice = PeerId.ofPublicKey("alice=");
            PeerId bob = PeerId.ofPublicKey("bob=");
            try (BlockingClient sender = BlockingClient.authenticated(address, tokens, alice);
                 BlockingClient receiver = BlockingClient.authenticated(address, tokens, bob)) {
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
    }

    /** The least of a WebSocket client that blocks: upgrade, masked binary frames out, unmasked frames in. */
    private static final class BlockingClient implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        private BlockingClient(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        }

        static BlockingClient authenticated(InetSocketAddress address, RelayTokens tokens, PeerId self)
                throws IOException {
            Socket socket = new Socket();
            socket.connect(address, 5_000);
            socket.setSoTimeout(5_000);
            BlockingClient client = new BlockingClient(socket);
            client.out.write(("GET /relay HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            client.out.flush();
            int endOfHeaders = 0;
            while (endOfHeaders < 4) { // \r\n\r\n
                int c = client.in.read();
                endOfHeaders = (c == '\r' || c == '\n') ? endOfHeaders + 1 : 0;
                if (c < 0) {
                    throw new IOException("relay closed during the upgrade");
                }
            }
            client.write(RelayFrameCodec.encode(new RelayFrame.Auth(self,
                    tokens.issue(Duration.ofMinutes(1), self).marshal())));
            client.flush();
            assertThat(RelayFrameCodec.decode(client.read())).isInstanceOf(RelayFrame.AuthResponse.class);
            return client;
        }

        /** A binary frame with the all-zero mask key, so the payload goes out as it is. */
        void write(byte[] message) throws IOException {
            out.write(0x82);
            if (message.length < 126) {
                out.write(0x80 | message.length);
            } else {
                out.write(0x80 | 126);
                out.write(message.length >>> 8);
                out.write(message.length);
            }
            out.write(new byte[4]);
            out.write(message);
        }

        void flush() throws IOException {
            out.flush();
        }

        byte[] read() throws IOException {
            in.readUnsignedByte(); // FIN and opcode: the relay sends whole binary messages
            int length = in.readUnsignedByte() & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            return payload;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayTokens;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two WebSocket clients (the JDK's, not Netty's) relay a packet through a real server on loopback. */
class RelayServerWebSocketTest {
    private final RelayTokens tokens = RelayTokens.fromSharedSecret("relay-socket-secret", Clock.systemUTC());

    @Test
    void twoPeersRelayAPacketOverRealWebSockets() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rel://127.0.0.1:33080").start()) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/relay");
            PeerId alice = PeerId.ofPublicKey("alice=");
            PeerId bob = PeerId.ofPublicKey("bob=");
            Client a = new Client();
            Client b = new Client();
            WebSocket wsA = http.newWebSocketBuilder().buildAsync(uri, a).get(5, TimeUnit.SECONDS);
            WebSocket wsB = http.newWebSocketBuilder().buildAsync(uri, b).get(5, TimeUnit.SECONDS);

            send(wsA, new RelayFrame.Auth(alice, tokens.issue(Duration.ofMinutes(1), alice).marshal()));
            send(wsB, new RelayFrame.Auth(bob, tokens.issue(Duration.ofMinutes(1), bob).marshal()));
            assertThat(a.next()).isEqualTo(new RelayFrame.AuthResponse("rel://127.0.0.1:33080"));
            assertThat(b.next()).isEqualTo(new RelayFrame.AuthResponse("rel://127.0.0.1:33080"));

            byte[] packet = new byte[1400];
            packet[0] = 4;
            packet[1399] = 42;
            send(wsA, new RelayFrame.Transport(bob, packet));

            assertThat(b.next()).isEqualTo(new RelayFrame.Transport(alice, packet));

            wsA.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            wsB.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void shutdownTellsConnectedPeersToGo() throws Exception {
        RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens, "rel://127.0.0.1:1").start();
        try {
            Client a = new Client();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/relay"), a).get(5, TimeUnit.SECONDS);
            send(ws, new RelayFrame.Auth(PeerId.ofPublicKey("a="),
                    tokens.issue(Duration.ofMinutes(1), PeerId.ofPublicKey("a=")).marshal()));
            assertThat(a.next()).isInstanceOf(RelayFrame.AuthResponse.class);

            server.close();

            assertThat(a.next()).isEqualTo(new RelayFrame.Close());
        } finally {
            server.close();
        }
    }

    @Test
    void fragmentedMessageIsReassembled() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rel://127.0.0.1:1").start()) {
            Client a = new Client();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/relay"), a).get(5, TimeUnit.SECONDS);
            byte[] auth = RelayFrameCodec.encode(
                    new RelayFrame.Auth(PeerId.ofPublicKey("a="),
                            tokens.issue(Duration.ofMinutes(1), PeerId.ofPublicKey("a=")).marshal()));
            ws.sendBinary(ByteBuffer.wrap(auth, 0, 10), false).get(5, TimeUnit.SECONDS);
            ws.sendBinary(ByteBuffer.wrap(auth, 10, auth.length - 10), true).get(5, TimeUnit.SECONDS);

            assertThat(a.next()).isEqualTo(new RelayFrame.AuthResponse("rel://127.0.0.1:1"));
        }
    }

    @Test
    void plainHttpGetsANetBirdShapedNotFound() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rels://relay.example:443").start()) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.body()).contains("\"code\":404");
        }
    }

    private static void send(WebSocket ws, RelayFrame frame) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(RelayFrameCodec.encode(frame)), true).get(5, TimeUnit.SECONDS);
    }

    private static final class Client implements WebSocket.Listener {
        private final BlockingQueue<RelayFrame> received = new LinkedBlockingQueue<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.writeBytes(chunk);
            if (last) {
                received.add(RelayFrameCodec.decode(partial.toByteArray()));
                partial.reset();
            }
            webSocket.request(1);
            return null;
        }

        RelayFrame next() throws InterruptedException {
            RelayFrame frame = received.poll(5, TimeUnit.SECONDS);
            assertThat(frame).as("relay message within 5 s").isNotNull();
            return frame;
        }
    }
}

package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayTokens;
import dev.tern.testsupport.relay.RelayTestClient;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Two WebSocket clients (the JDK's, not Netty's) relay a packet through a real server on loopback. */
class RelayServerWebSocketTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final RelayTokens tokens = RelayTokens.fromSharedSecret("relay-socket-secret", Clock.systemUTC());

    @Test
    void twoPeersRelayAPacketOverRealWebSockets() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rel://127.0.0.1:33080").start()) {
            URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/relay");
            PeerId alice = PeerId.ofPublicKey("alice=");
            PeerId bob = PeerId.ofPublicKey("bob=");
            try (RelayTestClient a = RelayTestClient.connect(uri); RelayTestClient b = RelayTestClient.connect(uri)) {
                a.send(new RelayFrame.Auth(alice, tokens.issue(Duration.ofMinutes(1), alice).marshal()));
                b.send(new RelayFrame.Auth(bob, tokens.issue(Duration.ofMinutes(1), bob).marshal()));
                assertThat(a.next(WAIT)).isEqualTo(new RelayFrame.AuthResponse("rel://127.0.0.1:33080"));
                assertThat(b.next(WAIT)).isEqualTo(new RelayFrame.AuthResponse("rel://127.0.0.1:33080"));

                byte[] packet = new byte[1400];
                packet[0] = 4;
                packet[1399] = 42;
                a.send(new RelayFrame.Transport(bob, packet));

                assertThat(b.next(WAIT)).isEqualTo(new RelayFrame.Transport(alice, packet));

                a.sendClose();
                b.sendClose();
            }
        }
    }

    @Test
    void anUpgradedConnectionKeepsOnlyTheHandlersARelayedFrameNeeds() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rel://127.0.0.1:1").start();
             RelayTestClient a = RelayTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/relay"))) {
            PeerId alice = PeerId.ofPublicKey("a=");
            a.send(new RelayFrame.Auth(alice, tokens.issue(Duration.ofMinutes(1), alice).marshal()));
            assertThat(a.next(WAIT)).isInstanceOf(RelayFrame.AuthResponse.class);

            // Each handler is passed by every frame and held by every idle session: no HTTP leftovers, no UTF-8
            // check of a protocol that is binary only.
            assertThat(server.channelOf(alice).pipeline().toMap().values())
                    .extracting(handler -> handler.getClass().getSimpleName())
                    .containsExactlyInAnyOrder("WebSocket13FrameDecoder", "WebSocket13FrameEncoder",
                            "WebSocketServerProtocolHandler", "WebSocketFrameAggregator", "RelayServerHandler");
        }
    }

    @Test
    void shutdownTellsConnectedPeersToGo() throws Exception {
        RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens, "rel://127.0.0.1:1").start();
        try (RelayTestClient a = RelayTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/relay"))) {
            a.send(new RelayFrame.Auth(PeerId.ofPublicKey("a="),
                    tokens.issue(Duration.ofMinutes(1), PeerId.ofPublicKey("a=")).marshal()));
            assertThat(a.next(WAIT)).isInstanceOf(RelayFrame.AuthResponse.class);

            server.close();

            assertThat(a.next(WAIT)).isEqualTo(new RelayFrame.Close());
        } finally {
            server.close();
        }
    }

    @Test
    void fragmentedMessageIsReassembled() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rel://127.0.0.1:1").start();
             RelayTestClient a = RelayTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/relay"))) {
            byte[] auth = RelayFrameCodec.encode(
                    new RelayFrame.Auth(PeerId.ofPublicKey("a="),
                            tokens.issue(Duration.ofMinutes(1), PeerId.ofPublicKey("a=")).marshal()));
            a.sendFragment(auth, 0, 10, false);
            a.sendFragment(auth, 10, auth.length - 10, true);

            assertThat(a.next(WAIT)).isEqualTo(new RelayFrame.AuthResponse("rel://127.0.0.1:1"));
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
}

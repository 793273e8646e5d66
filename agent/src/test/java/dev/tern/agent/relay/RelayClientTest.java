package dev.tern.agent.relay;

import dev.tern.agent.common.Backoff;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayToken;
import dev.tern.protocol.relay.RelayTokens;
import dev.tern.signal.relay.RelayServer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Relay clients against the real relay server from signal-relay, on loopback. */
class RelayClientTest {
    private static final String ALICE = "alice-wireguard-key=";
    private static final String BOB = "bob-wireguard-key=";
    private final RelayTokens tokens = RelayTokens.fromSharedSecret("agent-relay-test-secret", Clock.systemUTC());

    private static Backoff fastBackoff() {
        return new Backoff(Duration.ofMillis(100), Duration.ofMillis(400));
    }

    @Test
    void twoClientsExchangeTransportFramesThroughTheRelay() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rel://127.0.0.1:33080").start()) {
            String url = "rel://127.0.0.1:" + server.port();
            RelayInbox aliceInbox = new RelayInbox();
            RelayInbox bobInbox = new RelayInbox();
            try (RelayClient alice = new RelayClient(ALICE, aliceInbox, fastBackoff());
                 RelayClient bob = new RelayClient(BOB, bobInbox, fastBackoff())) {
                assertThat(alice.send(PeerId.ofPublicKey(BOB), new byte[]{1})).as("not connected yet").isFalse();
                assertThat(alice.address()).as("no relay to name before we are connected").isNull();
                alice.configure(List.of(url), tokens.issue(Duration.ofMinutes(5), PeerId.ofPublicKey(ALICE)));
                bob.configure(List.of(url), tokens.issue(Duration.ofMinutes(5), PeerId.ofPublicKey(BOB)));
                await().atMost(Duration.ofSeconds(10)).until(() -> alice.connected() && bob.connected());
                // what our offers name: the relay's own instance URL, which NetBird's client matches to its own
                assertThat(alice.address()).isEqualTo("rel://127.0.0.1:33080").isNotEqualTo(url);

                byte[] packet = new byte[1452];
                packet[0] = 4;
                packet[1451] = 99;
                assertThat(alice.send(PeerId.ofPublicKey(BOB), packet)).isTrue();
                RelayInbox.Received atBob = bobInbox.packets.poll(5, TimeUnit.SECONDS);
                assertThat(atBob).isNotNull();
                assertThat(atBob.from()).isEqualTo(PeerId.ofPublicKey(ALICE));
                assertThat(atBob.payload()).containsExactly(packet);

                assertThat(bob.send(PeerId.ofPublicKey(ALICE), new byte[]{2, 3})).isTrue();
                RelayInbox.Received atAlice = aliceInbox.packets.poll(5, TimeUnit.SECONDS);
                assertThat(atAlice).isNotNull();
                assertThat(atAlice.from()).isEqualTo(PeerId.ofPublicKey(BOB));
                assertThat(atAlice.payload()).containsExactly(2, 3);
            }
        }
    }

    @Test
    void aRejectedTokenNeverConnectsAndAFreshOneDoes() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rel://127.0.0.1:33080").start()) {
            String url = "rel://127.0.0.1:" + server.port();
            RelayToken foreign = RelayTokens.fromSharedSecret("some-other-secret", Clock.systemUTC())
                    .issue(Duration.ofMinutes(5), PeerId.ofPublicKey(ALICE));
            RelayInbox inbox = new RelayInbox();
            try (RelayClient client = new RelayClient(ALICE, inbox, fastBackoff())) {
                client.configure(List.of(url), foreign);
                assertThat(client.configured()).isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> inbox.states.contains("disconnected"));
                assertThat(client.connected()).isFalse();
                assertThat(server.connectedPeers()).isZero();

                // The refreshed token from the next Sync response is used on the next attempt.
                client.configure(List.of(url), tokens.issue(Duration.ofMinutes(5), PeerId.ofPublicKey(ALICE)));
                await().atMost(Duration.ofSeconds(10)).until(client::connected);
                assertThat(server.connectedPeers()).isEqualTo(1);
            }
        }
    }

    @Test
    void reconnectsAfterTheRelayRestarts() throws Exception {
        RelayServer first = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens, "rel://127.0.0.1:1").start();
        int port = first.port();
        RelayInbox inbox = new RelayInbox();
        try (RelayClient client = new RelayClient(ALICE, inbox, fastBackoff())) {
            client.configure(List.of("rel://127.0.0.1:" + port),
                    tokens.issue(Duration.ofMinutes(5), PeerId.ofPublicKey(ALICE)));
            await().atMost(Duration.ofSeconds(10)).until(client::connected);
            first.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> !client.connected());
            try (RelayServer second = new RelayServer(new InetSocketAddress("127.0.0.1", port), tokens,
                    "rel://127.0.0.1:1").start()) {
                await().atMost(Duration.ofSeconds(10)).until(client::connected);
                assertThat(second.connectedPeers()).isEqualTo(1);
            }
        }
    }

    @Test
    void aWatchedPeerIsReportedWhenItLeavesTheRelayAndWhenItComesBack() throws Exception {
        try (RelayServer server = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens,
                "rel://127.0.0.1:33080").start()) {
            String url = "rel://127.0.0.1:" + server.port();
            PeerId bobId = PeerId.ofPublicKey(BOB);
            RelayInbox aliceInbox = new RelayInbox();
            try (RelayClient alice = new RelayClient(ALICE, aliceInbox, fastBackoff())) {
                // watched before the connection: subscribed as soon as it is authenticated
                alice.watch(Set.of(bobId));
                alice.configure(List.of(url), tokens.issue(Duration.ofMinutes(5), PeerId.ofPublicKey(ALICE)));
                await().atMost(Duration.ofSeconds(10)).until(alice::connected);

                RelayClient bob = new RelayClient(BOB, new RelayInbox(), fastBackoff());
                bob.configure(List.of(url), tokens.issue(Duration.ofMinutes(5), bobId));
                assertThat(aliceInbox.peerStates.poll(10, TimeUnit.SECONDS)).isEqualTo("online " + bobId);
                bob.close(); // what stopping an agent does
                assertThat(aliceInbox.peerStates.poll(10, TimeUnit.SECONDS)).isEqualTo("offline " + bobId);

                RelayInbox bobInbox = new RelayInbox();
                try (RelayClient bobAgain = new RelayClient(BOB, bobInbox, fastBackoff())) {
                    bobAgain.configure(List.of(url), tokens.issue(Duration.ofMinutes(5), bobId));
                    assertThat(aliceInbox.peerStates.poll(10, TimeUnit.SECONDS)).isEqualTo("online " + bobId);

                    // no longer watched: its leaving is not reported. A packet sent after the unsubscribe, on the
                    // same connection, arriving at bob shows the relay has handled the unsubscribe.
                    alice.watch(Set.of());
                    assertThat(alice.send(bobId, new byte[]{7})).isTrue();
                    assertThat(bobInbox.packets.poll(10, TimeUnit.SECONDS)).isNotNull();
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> server.connectedPeers() == 1);
                assertThat(aliceInbox.peerStates).isEmpty();
            }
        }
    }

    @Test
    void relayUrlsMapToWebSocketUris() {
        assertThat(RelayClient.webSocketUri("rel://relay.example:33080")).hasToString("ws://relay.example:33080/relay");
        assertThat(RelayClient.webSocketUri("rels://relay.example:443")).hasToString("wss://relay.example:443/relay");
        assertThat(RelayClient.webSocketUri("rel://[fd00::1]:33080")).hasToString("ws://[fd00::1]:33080/relay");
        assertThatThrownBy(() -> RelayClient.webSocketUri("http://relay.example:80"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RelayClient.webSocketUri("rel://relay.example"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.tern.api.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;
import dev.tern.api.tls.ListenerTls;
import dev.tern.protocol.management.HostConfig;
import dev.tern.protocol.management.RelayConfig;
import dev.tern.events.values.WireGuardKey;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayToken;
import dev.tern.protocol.relay.RelayTokenException;
import dev.tern.protocol.relay.RelayTokens;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which STUN and relay addresses peers are handed, with which tokens, and what runs in-process. */
class PeerDataPathConfigTest {
    private static final String SECRET = "a-relay-secret-of-some-length";
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
    private static final WireGuardKey PEER_KEY = WireGuardKey.of(new byte[32]);
    private static final PeerId PEER = PeerId.ofPublicKey(PEER_KEY.base64());

    /** The node and what peers are handed, as tern-server wires them. */
    private record Endpoints(EmbeddedDataPathNode node, PeerDataPathConfig handOut) {
    }

    private static Endpoints endpoints(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.putIfAbsent("tern.data-dir", "target/stun-relay-endpoints-test");
        TernSettings settings = TernSettings.from(Map.of(), all::get);
        EmbeddedDataPathNode node = new EmbeddedDataPathNode(settings, ListenerTls.plaintext(), NOW);
        return new Endpoints(node, new PeerDataPathConfig(settings, node));
    }

    @Test
    void externalNodesAreHandedOutAsConfiguredWithATokenSignedWithTheSharedSecret() {
        Endpoints external = endpoints(Map.of(
                "tern.signal-url", "https://signal.example.com",
                "tern.stun-urls", "stun:stun1.example.com:3478, stun:stun2.example.com:3479",
                "tern.relay-urls", "rels://relay1.example.com:443,rel://relay2.example.com:33080",
                "tern.relay-secret", SECRET));

        assertThat(external.node().isRunning()).as("nothing to start").isTrue();
        assertThat(external.handOut().stuns("mgmt.example.com")).extracting(HostConfig::getUri)
                .containsExactly("stun:stun1.example.com:3478", "stun:stun2.example.com:3479");
        assertThat(external.handOut().stuns(null)).extracting(HostConfig::getProtocol)
                .containsOnly(HostConfig.Protocol.UDP);
        RelayConfig relay = external.handOut().relay("mgmt.example.com", PEER_KEY).orElseThrow();
        assertThat(relay.getUrlsList())
                .containsExactly("rels://relay1.example.com:443", "rel://relay2.example.com:33080");
        RelayToken token = new RelayToken(relay.getTokenPayload(), relay.getTokenSignature());
        // What an external relay started with the same secret does with the token:
        assertThatCode(() -> RelayTokens.fromSharedSecret(SECRET, NOW).verify(token, PEER)).doesNotThrowAnyException();
        assertThatThrownBy(() -> RelayTokens.fromSharedSecret(SECRET + "x", NOW).verify(token, PEER))
                .isInstanceOf(RelayTokenException.class);
        assertThat(RelayTokens.fromSharedSecret(SECRET, NOW).verify(token, PEER))
                .isEqualTo(NOW.instant().plus(TernSettings.DEFAULT_RELAY_TOKEN_TTL));
        assertThat(TernSettings.DEFAULT_RELAY_TOKEN_TTL).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> RelayTokens.fromSharedSecret(SECRET, NOW)
                .verify(token, PeerId.ofPublicKey(WireGuardKey.of(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                        13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}).base64())))
                .isInstanceOf(RelayTokenException.class).hasMessageContaining("another peer");
    }

    @Test
    void anExternalSignalNodeWithoutStunOrRelayUrlsMeansNoneAreHandedOut() {
        Endpoints none = endpoints(Map.of("tern.signal-url", "https://signal.example.com"));

        assertThat(none.handOut().stuns("mgmt.example.com")).isEmpty();
        assertThat(none.handOut().relay("mgmt.example.com", PEER_KEY)).isEmpty();
        none.node().start();
        assertThatThrownBy(none.node()::relayPort).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(none.node()::stunPort).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theInProcessNodesAreReachedAtTheHostThePeerUsedForManagement() {
        Endpoints local = endpoints(Map.of("tern.grpc-port", "0", "tern.relay-secret", SECRET));
        local.node().start();
        try {
            int stun = local.node().stunPort();
            int relay = local.node().relayPort();
            assertThat(stun).isPositive().isNotEqualTo(TernSettings.DEFAULT_STUN_PORT);
            assertThat(relay).isPositive().isNotEqualTo(TernSettings.DEFAULT_RELAY_PORT);
            assertThat(local.handOut().stuns("10.1.2.3")).containsExactly(HostConfig.newBuilder()
                    .setUri("stun:10.1.2.3:" + stun).setProtocol(HostConfig.Protocol.UDP).build());
            assertThat(local.handOut().stuns("fd00::1").get(0).getUri()).isEqualTo("stun:[fd00::1]:" + stun);
            assertThat(local.handOut().relay("10.1.2.3", PEER_KEY).orElseThrow().getUrlsList())
                    .containsExactly("rel://10.1.2.3:" + relay);
            assertThat(local.handOut().relay(null, PEER_KEY).orElseThrow().getUrlsList())
                    .containsExactly("rel://localhost:" + relay);
            assertThat(local.node().tokens().secret()).isEqualTo(SECRET);
        } finally {
            local.node().stop();
        }
        assertThat(local.node().isRunning()).isFalse();
    }

    @Test
    void withoutAConfiguredSecretTheInProcessRelaySignsWithARandomOne() {
        Endpoints first = endpoints(Map.of("tern.grpc-port", "0", "tern.stun-port", "off"));
        Endpoints second = endpoints(Map.of("tern.grpc-port", "0", "tern.stun-port", "off"));

        assertThat(first.node().tokens().secret()).hasSizeGreaterThanOrEqualTo(32)
                .isNotEqualTo(second.node().tokens().secret());
        RelayConfig relay;
        first.node().start();
        try {
            relay = first.handOut().relay("host", PEER_KEY).orElseThrow();
        } finally {
            first.node().stop();
        }
        RelayToken token = new RelayToken(relay.getTokenPayload(), relay.getTokenSignature());
        assertThatCode(() -> RelayTokens.fromSharedSecret(first.node().tokens().secret(), NOW)
                .verify(token, PEER))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> RelayTokens.fromSharedSecret(second.node().tokens().secret(), NOW)
                .verify(token, PEER))
                .isInstanceOf(RelayTokenException.class);
    }

    @Test
    void stunOffMeansNoStunServiceAndNoStunHandedOut() {
        Endpoints noStun = endpoints(Map.of("tern.grpc-port", "0", "tern.stun-port", "off"));
        noStun.node().start();
        try {
            assertThat(noStun.handOut().stuns("10.1.2.3")).isEmpty();
            assertThatThrownBy(noStun.node()::stunPort).isInstanceOf(IllegalStateException.class);
            assertThat(noStun.handOut().relay("10.1.2.3", PEER_KEY)).isPresent();
        } finally {
            noStun.node().stop();
        }
    }

    @Test
    void aTakenRelayPortIsAOneLineStartupFailureNamingTheVariableAndStopsWhatStarted() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Endpoints endpoints = endpoints(Map.of("tern.grpc-port", "0",
                    "tern.relay-port", Integer.toString(taken.getLocalPort())));

            assertThatThrownBy(endpoints.node()::start).isInstanceOf(StartupFailure.class)
                    .hasMessageStartingWith("relay cannot listen on port " + taken.getLocalPort())
                    .hasMessageContaining("TERN_RELAY_PORT")
                    .hasMessageNotContaining("\n");
            assertThat(endpoints.node().isRunning()).isFalse();
            assertThatThrownBy(endpoints.node()::stunPort).as("STUN stopped again")
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aTakenStunPortIsAOneLineStartupFailureNamingTheVariable() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0)) {
            Endpoints endpoints = endpoints(Map.of("tern.grpc-port", "0",
                    "tern.stun-port", Integer.toString(taken.getLocalPort())));

            assertThatThrownBy(endpoints.node()::start).isInstanceOf(StartupFailure.class)
                    .hasMessageStartingWith("STUN cannot listen on udp port " + taken.getLocalPort())
                    .hasMessageContaining("TERN_STUN_PORT");
            assertThat(endpoints.node().isRunning()).isFalse();
        }
    }

    @Test
    void theTokenLifetimeIsConfigurable() {
        Endpoints external = endpoints(Map.of("tern.signal-url", "https://signal.example.com",
                "tern.relay-urls", "rel://relay.example.com:33080", "tern.relay-secret", SECRET,
                "tern.relay-token-ttl", "10m"));
        RelayConfig relay = external.handOut().relay("mgmt.example.com", PEER_KEY).orElseThrow();

        assertThat(external.handOut().tokenLifetime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(RelayTokens.fromSharedSecret(SECRET, NOW)
                .verify(new RelayToken(relay.getTokenPayload(), relay.getTokenSignature()), PEER))
                .isEqualTo(NOW.instant().plus(Duration.ofMinutes(10)));
    }

    @Test
    void aPeerThatLogsInAgainInTheSecondItWasRevokedGetsATokenThatOutlivesTheRevocation() {
        Endpoints local = endpoints(Map.of("tern.grpc-port", "0", "tern.stun-port", "off",
                "tern.relay-secret", SECRET));
        local.node().start();
        try {
            local.node().revoke(PEER_KEY, NOW.instant());
            RelayConfig relay = local.handOut().relay("host", PEER_KEY).orElseThrow();

            // The relay refuses this peer's tokens expiring by NOW + lifetime: the new one expires a second later.
            assertThat(RelayTokens.fromSharedSecret(SECRET, NOW)
                    .verify(new RelayToken(relay.getTokenPayload(), relay.getTokenSignature()), PEER))
                    .isEqualTo(NOW.instant().plus(TernSettings.DEFAULT_RELAY_TOKEN_TTL).plusSeconds(1));
            WireGuardKey other = WireGuardKey.of(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                    18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
            RelayConfig others = local.handOut().relay("host", other).orElseThrow();
            assertThat(RelayTokens.fromSharedSecret(SECRET, NOW)
                    .verify(new RelayToken(others.getTokenPayload(), others.getTokenSignature()),
                            PeerId.ofPublicKey(other.base64())))
                    .as("other peers' tokens live the normal lifetime")
                    .isEqualTo(NOW.instant().plus(TernSettings.DEFAULT_RELAY_TOKEN_TTL));
        } finally {
            local.node().stop();
        }
    }
}

package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;
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
class StunRelayEndpointsTest {
    private static final String SECRET = "a-relay-secret-of-some-length";
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
    private static final WireGuardKey PEER_KEY = WireGuardKey.of(new byte[32]);
    private static final PeerId PEER = PeerId.ofPublicKey(PEER_KEY.base64());

    private static StunRelayEndpoints endpoints(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.putIfAbsent("tern.data-dir", "target/stun-relay-endpoints-test");
        return new StunRelayEndpoints(TernSettings.from(Map.of(), all::get), NOW);
    }

    @Test
    void externalNodesAreHandedOutAsConfiguredWithATokenSignedWithTheSharedSecret() {
        StunRelayEndpoints external = endpoints(Map.of(
                "tern.signal-url", "https://signal.example.com",
                "tern.stun-urls", "stun:stun1.example.com:3478, stun:stun2.example.com:3479",
                "tern.relay-urls", "rels://relay1.example.com:443,rel://relay2.example.com:33080",
                "tern.relay-secret", SECRET));

        assertThat(external.isRunning()).as("nothing to start").isTrue();
        assertThat(external.stuns("mgmt.example.com")).extracting(HostConfig::getUri)
                .containsExactly("stun:stun1.example.com:3478", "stun:stun2.example.com:3479");
        assertThat(external.stuns(null)).extracting(HostConfig::getProtocol).containsOnly(HostConfig.Protocol.UDP);
        RelayConfig relay = external.relay("mgmt.example.com", PEER_KEY).orElseThrow();
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
        StunRelayEndpoints none = endpoints(Map.of("tern.signal-url", "https://signal.example.com"));

        assertThat(none.stuns("mgmt.example.com")).isEmpty();
        assertThat(none.relay("mgmt.example.com", PEER_KEY)).isEmpty();
        none.start();
        assertThatThrownBy(none::inProcessRelayPort).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(none::inProcessStunPort).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theInProcessNodesAreReachedAtTheHostThePeerUsedForManagement() {
        StunRelayEndpoints local = endpoints(Map.of("tern.grpc-port", "0", "tern.relay-secret", SECRET));
        local.start();
        try {
            int stun = local.inProcessStunPort();
            int relay = local.inProcessRelayPort();
            assertThat(stun).isPositive().isNotEqualTo(TernSettings.DEFAULT_STUN_PORT);
            assertThat(relay).isPositive().isNotEqualTo(TernSettings.DEFAULT_RELAY_PORT);
            assertThat(local.stuns("10.1.2.3")).containsExactly(HostConfig.newBuilder()
                    .setUri("stun:10.1.2.3:" + stun).setProtocol(HostConfig.Protocol.UDP).build());
            assertThat(local.stuns("fd00::1").get(0).getUri()).isEqualTo("stun:[fd00::1]:" + stun);
            assertThat(local.relay("10.1.2.3", PEER_KEY).orElseThrow().getUrlsList())
                    .containsExactly("rel://10.1.2.3:" + relay);
            assertThat(local.relay(null, PEER_KEY).orElseThrow().getUrlsList())
                    .containsExactly("rel://localhost:" + relay);
            assertThat(local.relaySecret()).isEqualTo(SECRET);
        } finally {
            local.stop();
        }
        assertThat(local.isRunning()).isFalse();
    }

    @Test
    void withoutAConfiguredSecretTheInProcessRelaySignsWithARandomOne() {
        StunRelayEndpoints first = endpoints(Map.of("tern.grpc-port", "0", "tern.stun-port", "off"));
        StunRelayEndpoints second = endpoints(Map.of("tern.grpc-port", "0", "tern.stun-port", "off"));

        assertThat(first.relaySecret()).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo(second.relaySecret());
        RelayConfig relay;
        first.start();
        try {
            relay = first.relay("host", PEER_KEY).orElseThrow();
        } finally {
            first.stop();
        }
        RelayToken token = new RelayToken(relay.getTokenPayload(), relay.getTokenSignature());
        assertThatCode(() -> RelayTokens.fromSharedSecret(first.relaySecret(), NOW).verify(token, PEER))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> RelayTokens.fromSharedSecret(second.relaySecret(), NOW).verify(token, PEER))
                .isInstanceOf(RelayTokenException.class);
    }

    @Test
    void stunOffMeansNoStunServiceAndNoStunHandedOut() {
        StunRelayEndpoints noStun = endpoints(Map.of("tern.grpc-port", "0", "tern.stun-port", "off"));
        noStun.start();
        try {
            assertThat(noStun.stuns("10.1.2.3")).isEmpty();
            assertThatThrownBy(noStun::inProcessStunPort).isInstanceOf(IllegalStateException.class);
            assertThat(noStun.relay("10.1.2.3", PEER_KEY)).isPresent();
        } finally {
            noStun.stop();
        }
    }

    @Test
    void aTakenRelayPortIsAOneLineStartupFailureNamingTheVariableAndStopsWhatStarted() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            StunRelayEndpoints endpoints = endpoints(Map.of("tern.grpc-port", "0",
                    "tern.relay-port", Integer.toString(taken.getLocalPort())));

            assertThatThrownBy(endpoints::start).isInstanceOf(StartupFailure.class)
                    .hasMessageStartingWith("relay cannot listen on port " + taken.getLocalPort())
                    .hasMessageContaining("TERN_RELAY_PORT")
                    .hasMessageNotContaining("\n");
            assertThat(endpoints.isRunning()).isFalse();
            assertThatThrownBy(endpoints::inProcessStunPort).as("STUN stopped again")
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aTakenStunPortIsAOneLineStartupFailureNamingTheVariable() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0)) {
            StunRelayEndpoints endpoints = endpoints(Map.of("tern.grpc-port", "0",
                    "tern.stun-port", Integer.toString(taken.getLocalPort())));

            assertThatThrownBy(endpoints::start).isInstanceOf(StartupFailure.class)
                    .hasMessageStartingWith("STUN cannot listen on udp port " + taken.getLocalPort())
                    .hasMessageContaining("TERN_STUN_PORT");
            assertThat(endpoints.isRunning()).isFalse();
        }
    }

    @Test
    void theTokenLifetimeIsConfigurable() {
        StunRelayEndpoints external = endpoints(Map.of("tern.signal-url", "https://signal.example.com",
                "tern.relay-urls", "rel://relay.example.com:33080", "tern.relay-secret", SECRET,
                "tern.relay-token-ttl", "10m"));
        RelayConfig relay = external.relay("mgmt.example.com", PEER_KEY).orElseThrow();

        assertThat(external.tokenLifetime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(RelayTokens.fromSharedSecret(SECRET, NOW)
                .verify(new RelayToken(relay.getTokenPayload(), relay.getTokenSignature()), PEER))
                .isEqualTo(NOW.instant().plus(Duration.ofMinutes(10)));
    }

    @Test
    void aPeerThatLogsInAgainInTheSecondItWasRevokedGetsATokenThatOutlivesTheRevocation() {
        StunRelayEndpoints local = endpoints(Map.of("tern.grpc-port", "0", "tern.stun-port", "off",
                "tern.relay-secret", SECRET));
        local.start();
        try {
            local.revoke(PEER_KEY, NOW.instant());
            RelayConfig relay = local.relay("host", PEER_KEY).orElseThrow();

            // The relay refuses this peer's tokens expiring by NOW + lifetime: the new one expires a second later.
            assertThat(RelayTokens.fromSharedSecret(SECRET, NOW)
                    .verify(new RelayToken(relay.getTokenPayload(), relay.getTokenSignature()), PEER))
                    .isEqualTo(NOW.instant().plus(TernSettings.DEFAULT_RELAY_TOKEN_TTL).plusSeconds(1));
            WireGuardKey other = WireGuardKey.of(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                    18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
            RelayConfig others = local.relay("host", other).orElseThrow();
            assertThat(RelayTokens.fromSharedSecret(SECRET, NOW)
                    .verify(new RelayToken(others.getTokenPayload(), others.getTokenSignature()),
                            PeerId.ofPublicKey(other.base64())))
                    .as("other peers' tokens live the normal lifetime")
                    .isEqualTo(NOW.instant().plus(TernSettings.DEFAULT_RELAY_TOKEN_TTL));
        } finally {
            local.stop();
        }
    }
}

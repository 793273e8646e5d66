package dev.tern.signal;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayTokens;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignalRelayNodeTest {

    @Test
    void startsSignalStunAndRelayWhenASecretIsConfigured() {
        try (SignalRelayNode node = SignalRelayNode.fromEnvironment(Map.of(
                "TERN_SIGNAL_PORT", "0", "TERN_STUN_PORT", "0", "TERN_RELAY_PORT", "0",
                "TERN_RELAY_SECRET", "shared-with-management",
                "TERN_RELAY_EXPOSED_ADDRESS", "rels://relay.example:443")).start()) {
            assertThat(node.signalPort()).isPositive();
            assertThat(node.stunPort()).isPositive();
            assertThat(node.relayPort()).isPositive();
        }
    }

    @Test
    void relayStaysOffWithoutASecretAndStunCanBeTurnedOff() {
        try (SignalRelayNode node = SignalRelayNode.fromEnvironment(Map.of(
                "TERN_SIGNAL_PORT", "0", "TERN_STUN_PORT", "off")).start()) {
            assertThat(node.signalPort()).isPositive();
            assertThat(node.stunPort()).isEqualTo(-1);
            assertThat(node.relayPort()).isEqualTo(-1);
        }
    }

    @Test
    void invalidSettingsStopStartUpWithOneLineReasons() {
        assertThatThrownBy(() -> SignalRelayNode.fromEnvironment(Map.of("TERN_STUN_PORT", "udp")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TERN_STUN_PORT");
        assertThatThrownBy(() -> SignalRelayNode.fromEnvironment(Map.of(
                "TERN_RELAY_SECRET", "shared-with-management", "TERN_RELAY_EXPOSED_ADDRESS", "https://relay.example")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TERN_RELAY_EXPOSED_ADDRESS must start with rel:// or rels://");
    }

    @Test
    void shortRelaySecretsAreRefusedWithoutEchoingThemAsTernServerRefusesThem() {
        assertThatThrownBy(() -> SignalRelayNode.fromEnvironment(Map.of("TERN_RELAY_SECRET", "short-secret")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TERN_RELAY_SECRET must be at least 16 characters long, got 12");
    }

    @Test
    void unknownTernVariablesAreRefusedAsTypos() {
        assertThatThrownBy(() -> SignalRelayNode.fromEnvironment(Map.of("TERN_RELAY_SECERT", "0123456789abcdef",
                "TERN_SIGNAL_PORT", "0", "HOME", "/root")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown environment variable TERN_RELAY_SECERT (known: ")
                .hasMessageContaining("TERN_RELAY_SECRET")
                .hasMessageNotContaining("0123456789abcdef")
                .hasMessageNotContaining("\n");
    }

    @Test
    void portsAndLimitsAreReadWithTheSameOneLineReasonsAsTernServer() {
        assertThatThrownBy(() -> SignalRelayNode.fromEnvironment(Map.of("TERN_RELAY_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TERN_RELAY_PORT must be a port number between 0 and 65535, got '70000'");
        assertThatThrownBy(() -> SignalRelayNode.fromEnvironment(Map.of("TERN_TLS_KEY_FILE", "/etc/tern/key.pem")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("TERN_TLS_CERT_FILE and TERN_TLS_KEY_FILE go together");
    }

    @Test
    void anEmbeddingProcessSuppliesTheRelayTokensAndUrlAndCanLeaveStunOut() {
        DataPathSettings settings = DataPathSettings.parse(Map.of(), DataPathSettings.DefaultPorts.ANY_FREE);
        RelayTokens tokens = RelayTokens.fromSharedSecret("issued-by-the-embedding-process", Clock.systemUTC());

        try (SignalRelayNode node = SignalRelayNode.builder(settings).withoutStun()
                .relay(tokens, "rel://mgmt.example:33080").build().start()) {
            assertThat(node.signalPort()).isPositive();
            assertThat(node.stunPort()).as("STUN left out").isEqualTo(-1);
            assertThat(node.relayPort()).as("relay without a secret in the settings").isPositive();
            assertThat(node.usesTls()).isFalse();
            PeerId peer = PeerId.ofPublicKey("peer=");
            assertThat(node.relayHasSession(peer)).isFalse();
            node.revokeRelayAccess(peer, Instant.now().plusSeconds(60));
        }
        try (SignalRelayNode plain = SignalRelayNode.builder(settings).build().start()) {
            assertThat(plain.stunPort()).as("STUN from the settings").isPositive();
            assertThat(plain.relayPort()).as("no relay until one is given").isEqualTo(-1);
            plain.revokeRelayAccess(PeerId.ofPublicKey("peer="), Instant.now());
        }
    }

    @Test
    void aPortInUseNamesTheServiceThatCouldNotStartAndStopsTheOthers() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            DataPathSettings settings = DataPathSettings.parse(Map.of(DataPathSettings.SIGNAL_PORT, "0",
                    DataPathSettings.STUN_PORT, "0", DataPathSettings.RELAY_PORT,
                    Integer.toString(taken.getLocalPort())), DataPathSettings.DefaultPorts.ANY_FREE);
            SignalRelayNode node = SignalRelayNode.builder(settings)
                    .relay(RelayTokens.fromSharedSecret("relay-secret-0123", Clock.systemUTC()), "rel://x:1").build();

            assertThatThrownBy(node::start).isInstanceOfSatisfying(SignalRelayNode.ServiceStartException.class, e -> {
                assertThat(e.service()).isEqualTo(SignalRelayNode.Service.RELAY);
                assertThat(e).hasMessageStartingWith("relay cannot listen on");
                assertThat(e.getCause()).isNotNull();
            });
            assertThatThrownBy(node::signalPort).as("signal stopped again").isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(node::stunPort).as("STUN stopped again").isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aRelayWithoutAnExposedAddressAnnouncesItselfAtThisHostsNameAndItsConfiguredPort() throws Exception {
        DataPathSettings settings = DataPathSettings.forNode(Map.of("TERN_RELAY_PORT", "33999",
                "TERN_RELAY_SECRET", "shared-with-management"));
        String host = java.net.InetAddress.getLocalHost().getHostName();

        assertThat(settings.announcedRelayUrl()).isEqualTo("rel://" + host + ":33999");
        assertThat(settings.relayUrlOnThisHost(true)).as("an embedding process serving TLS")
                .isEqualTo("rels://" + host + ":33999");
        assertThat(DataPathSettings.forNode(Map.of("TERN_RELAY_EXPOSED_ADDRESS", "rels://relay.example:443"))
                .announcedRelayUrl()).isEqualTo("rels://relay.example:443");
    }
}

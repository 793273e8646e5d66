package dev.tern.signal;

import org.junit.jupiter.api.Test;

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
                "TERN_RELAY_SECRET", "s", "TERN_RELAY_EXPOSED_ADDRESS", "https://relay.example")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TERN_RELAY_EXPOSED_ADDRESS must start with rel:// or rels://");
    }
}

package dev.tern.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the start-up report says about STUN and the relay: where they are, and never the relay secret. */
class StartupReportTest {
    private static final String SECRET = "startup-report-relay-secret";

    private static TernSettings settings(Map<String, String> env) {
        return TernSettings.from(env, name -> null);
    }

    @Test
    void inProcessStunAndRelayAreReportedWithTheirPortsAndTheSecretsOrigin() {
        TernSettings generated = settings(Map.of());
        assertThat(StartupReport.stunDescription(generated)).isEqualTo("in-process STUN on udp port 3478");
        assertThat(StartupReport.relayDescription(generated))
                .isEqualTo("in-process relay on port 33080, tokens signed with a secret generated at start");

        TernSettings configured = settings(Map.of("TERN_GRPC_PORT", "0", "TERN_RELAY_SECRET", SECRET));
        assertThat(StartupReport.stunDescription(configured))
                .isEqualTo("in-process STUN on udp port (free port chosen at start)");
        assertThat(StartupReport.relayDescription(configured)).endsWith("tokens signed with TERN_RELAY_SECRET")
                .doesNotContain(SECRET);
    }

    @Test
    void externalNodesAreReportedAsConfiguredWithoutTheSecret() {
        TernSettings external = settings(Map.of("TERN_SIGNAL_URL", "https://signal.example.com",
                "TERN_STUN_URLS", "stun:stun.example.com:3478", "TERN_RELAY_URLS", "rels://relay.example.com:443",
                "TERN_RELAY_SECRET", SECRET));

        assertThat(StartupReport.stunDescription(external)).isEqualTo("stun:stun.example.com:3478");
        assertThat(StartupReport.relayDescription(external))
                .isEqualTo("rels://relay.example.com:443, tokens signed with TERN_RELAY_SECRET");
    }

    @Test
    void whatIsNotHandedOutIsSaidSo() {
        TernSettings externalSignalOnly = settings(Map.of("TERN_SIGNAL_URL", "https://signal.example.com"));
        assertThat(StartupReport.stunDescription(externalSignalOnly)).isEqualTo("none handed out (set TERN_STUN_URLS)");
        assertThat(StartupReport.relayDescription(externalSignalOnly)).isEqualTo("none handed out (set TERN_RELAY_URLS)");

        assertThat(StartupReport.stunDescription(settings(Map.of("TERN_STUN_PORT", "off")))).isEqualTo("none handed out");
    }
}

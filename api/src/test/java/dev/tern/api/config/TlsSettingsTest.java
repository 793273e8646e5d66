package dev.tern.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.signal.DataPathSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** TERN_TLS_* and TERN_ACME_*: which combinations start TLS, and one-line refusals for the rest. */
class TlsSettingsTest {

    private static TernSettings settings(Map<String, String> env) {
        return TernSettings.from(env, name -> null);
    }

    @Test
    void plaintextWhenNothingIsSet() {
        TlsSettings tls = settings(Map.of()).tls();
        assertThat(tls.enabled()).isFalse();
        assertThat(tls.pem()).isEmpty();
        assertThat(tls.acme()).isEmpty();
    }

    @Test
    void aPemPairTurnsTlsOn() {
        TlsSettings tls = settings(Map.of("TERN_TLS_CERT_FILE", "/etc/tern/fullchain.pem",
                "TERN_TLS_KEY_FILE", "/etc/tern/privkey.pem")).tls();
        assertThat(tls.enabled()).isTrue();
        assertThat(tls.pem()).hasValue(new DataPathSettings.TlsFiles(Path.of("/etc/tern/fullchain.pem"),
                Path.of("/etc/tern/privkey.pem")));
    }

    @Test
    void acmeDefaultsToLetsEncryptAndPort80() {
        TlsSettings tls = settings(Map.of("TERN_ACME_DOMAIN", "VPN.Example.com")).tls();
        assertThat(tls.enabled()).isTrue();
        assertThat(tls.acme()).hasValue(new TlsSettings.Acme(
                URI.create("https://acme-v02.api.letsencrypt.org/directory"), "vpn.example.com", Optional.empty(), 80,
                Optional.empty()));

        TlsSettings custom = settings(Map.of("TERN_ACME_DOMAIN", "vpn.example.com",
                "TERN_ACME_DIRECTORY", "https://ca.internal/acme/directory", "TERN_ACME_EMAIL", "ops@example.com",
                "TERN_ACME_HTTP_PORT", "8081", "TERN_ACME_CA_FILE", "/etc/tern/internal-ca.pem")).tls();
        assertThat(custom.acme()).hasValue(new TlsSettings.Acme(URI.create("https://ca.internal/acme/directory"),
                "vpn.example.com", Optional.of("ops@example.com"), 8081, Optional.of(Path.of("/etc/tern/internal-ca.pem"))));
    }

    @Test
    void halfOrConflictingSettingsAreRefusedWithOneLine() {
        assertThatThrownBy(() -> settings(Map.of("TERN_TLS_CERT_FILE", "/etc/tern/cert.pem")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("TERN_TLS_CERT_FILE and TERN_TLS_KEY_FILE go together: set both (PEM certificate chain "
                        + "and PEM private key) or neither");
        assertThatThrownBy(() -> settings(Map.of("TERN_TLS_KEY_FILE", "/etc/tern/key.pem")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("go together");
        assertThatThrownBy(() -> settings(Map.of("TERN_TLS_CERT_FILE", "/c.pem", "TERN_TLS_KEY_FILE", "/k.pem",
                "TERN_ACME_DOMAIN", "vpn.example.com")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> settings(Map.of("TERN_ACME_EMAIL", "ops@example.com")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("TERN_ACME_EMAIL is set but TERN_ACME_DOMAIN is not (ACME needs the domain to request a "
                        + "certificate for)");
        assertThatThrownBy(() -> settings(Map.of("TERN_ACME_DOMAIN", "not a domain")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("must be a DNS name");
        assertThatThrownBy(() -> settings(Map.of("TERN_ACME_DOMAIN", "vpn.example.com",
                "TERN_ACME_DIRECTORY", "http://ca.example.com/directory")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("https://");
        assertThatThrownBy(() -> settings(Map.of("TERN_ACME_DOMAIN", "vpn.example.com",
                "TERN_ACME_DIRECTORY", "acme://letsencrypt.org/staging", "TERN_ACME_CA_FILE", "/ca.pem")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("https:// TERN_ACME_DIRECTORY only");
        assertThatThrownBy(() -> settings(Map.of("TERN_ACME_DOMAIN", "vpn.example.com", "TERN_ACME_EMAIL", "nobody")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("e-mail");
        assertThatThrownBy(() -> settings(Map.of("TERN_ACME_DOMAIN", "vpn.example.com", "TERN_ACME_HTTP_PORT", "8080")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("TERN_HTTP_PORT and TERN_ACME_HTTP_PORT must differ, both are 8080");
    }
}

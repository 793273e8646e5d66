package dev.tern.api.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.config.TlsSettings;
import dev.tern.signal.tls.Certificates;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When tern-server asks the ACME CA again: for the stand-in, for another name, or with a third of the lifetime left. */
class AcmeRenewalTest {
    @TempDir
    Path dataDir;

    private static final TlsSettings.Acme SETTINGS = new TlsSettings.Acme(URI.create("https://ca.example/dir"),
            "vpn.example.com", Optional.empty(), 0, Optional.empty());

    private AcmeCertificates at(Instant now) {
        return AcmeCertificates.prepare(SETTINGS, dataDir.resolve("acme"), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void theStandInIsServedFromAPrivateDirectoryAndIsDueAtOnce() throws Exception {
        AcmeCertificates acme = at(Instant.now());
        X509Certificate standIn = acme.keys().certificate();
        assertThat(standIn.getSubjectX500Principal()).isEqualTo(standIn.getIssuerX500Principal());
        assertThat(acme.due(standIn)).isTrue();
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("acme")))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("acme/key.pem")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void anIssuedCertificateIsRenewedOnlyInTheLastThirdOfItsLifetime() {
        Certificates.Issued ca = Certificates.certificateAuthority("ACME test CA", Duration.ofDays(365));
        X509Certificate issued = Certificates.serverCertificate(ca, Duration.ofDays(90), "vpn.example.com").certificate();
        Instant notBefore = issued.getNotBefore().toInstant();
        Instant notAfter = issued.getNotAfter().toInstant();
        Duration lifetime = Duration.between(notBefore, notAfter);

        assertThat(at(notBefore.plus(Duration.ofDays(10))).due(issued)).isFalse();
        assertThat(at(notAfter.minus(lifetime.dividedBy(3)).minusSeconds(60)).due(issued)).isFalse();
        assertThat(at(notAfter.minus(lifetime.dividedBy(3)).plusSeconds(60)).due(issued)).isTrue();

        X509Certificate otherName = Certificates.serverCertificate(ca, Duration.ofDays(90), "old.example.com")
                .certificate();
        assertThat(at(notBefore.plus(Duration.ofDays(1))).due(otherName)).isTrue();
    }
}

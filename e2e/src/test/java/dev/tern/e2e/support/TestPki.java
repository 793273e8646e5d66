package dev.tern.e2e.support;

import dev.tern.signal.tls.Certificates;
import dev.tern.testsupport.tls.TlsTrust;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A private CA and the certificate tern-server serves, as an operator would set them up: the chain and key as the
 * PEM files of TERN_TLS_CERT_FILE/TERN_TLS_KEY_FILE, the CA certificate as the PEM file agents get with
 * {@code --ca-file} and curl with {@code CURL_CA_BUNDLE}. Nothing trusts anything but this CA.
 */
public final class TestPki {
    private final Certificates.Issued ca;
    private final Path caFile;
    private final Path certFile;
    private final Path keyFile;

    /** A fresh CA and a server certificate for {@code serverNames} (IP literals or DNS names), written to {@code dir}. */
    public TestPki(Path dir, String... serverNames) {
        this.ca = Certificates.certificateAuthority("Tern e2e CA", Duration.ofDays(1));
        this.caFile = dir.resolve("ca.pem");
        this.certFile = dir.resolve("server.crt");
        this.keyFile = dir.resolve("server.key");
        Certificates.Issued server = Certificates.serverCertificate(ca, Duration.ofDays(1), serverNames);
        Certificates.writePem(certFile, keyFile, server.keys(), List.of(server.certificate(), ca.certificate()));
        TlsTrust.writePem(caFile, ca.certificate());
    }

    public Path caFile() {
        return caFile;
    }

    public Path certFile() {
        return certFile;
    }

    public Path keyFile() {
        return keyFile;
    }

    /** A TLS context that trusts this CA only (the JDK's own CAs are left out). */
    public SSLContext trustingCaOnly() {
        return TlsTrust.trusting(ca.certificate());
    }
}

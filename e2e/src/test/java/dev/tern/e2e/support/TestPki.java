package dev.tern.e2e.support;

import dev.tern.signal.tls.Certificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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
        try {
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(ca.certificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            Files.writeString(caFile, pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
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
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("e2e-ca", ca.certificate());
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.tern.testsupport.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client side of a test PKI, with the JDK alone: a TLS context that trusts one test CA and nothing else, a
 * verified handshake that shows which certificate a listener serves, and a CA certificate as the PEM file curl and
 * agents are given. Certificates themselves are issued by {@code dev.tern.signal.tls.Certificates}, which this
 * module cannot see (signal-relay's tests depend on it).
 */
public final class TlsTrust {
    private TlsTrust() {
    }

    /** A TLS context that trusts {@code anchor} only (the JDK's own CAs are left out). */
    public static SSLContext trusting(X509Certificate anchor) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", anchor);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A new TLS connection to {@code host:port}, its certificate verified against {@code context} and checked for
     * {@code host} as HTTPS clients do; the leaf certificate the listener presented.
     */
    public static X509Certificate servedCertificate(SSLContext context, String host, int port, Duration timeout)
            throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(host, port)) {
            socket.setSoTimeout((int) timeout.toMillis());
            var parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /** Writes {@code certificate} as one PEM block, as a CA file for {@code --ca-file} or {@code CURL_CA_BUNDLE}. */
    public static void writePem(Path file, X509Certificate certificate) {
        try {
            String pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(certificate.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

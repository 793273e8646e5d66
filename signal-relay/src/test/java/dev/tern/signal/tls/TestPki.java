package dev.tern.signal.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/** A CA made for one test, server certificates it signs for loopback, and a raw TLS probe of a listener. */
public final class TestPki {
    public final Certificates.Issued ca = Certificates.certificateAuthority("Tern test CA", Duration.ofDays(1));
    public final Path certFile;
    public final Path keyFile;

    public TestPki(Path dir) {
        this.certFile = dir.resolve("server.crt");
        this.keyFile = dir.resolve("server.key");
    }

    /** Issues a fresh loopback certificate and writes it over the PEM files; returns it. */
    public Certificates.Issued issueServerCertificate() {
        Certificates.Issued server = Certificates.serverCertificate(ca, Duration.ofDays(1), "localhost", "127.0.0.1");
        Certificates.writePem(certFile, keyFile, server.keys(), List.of(server.certificate(), ca.certificate()));
        return server;
    }

    /** A client context that trusts only this test CA. */
    public SSLContext clientContext() {
        return clientContextTrusting(ca.certificate());
    }

    public static SSLContext clientContextTrusting(X509Certificate anchor) {
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

    /** Opens a new TLS connection to 127.0.0.1:port (certificate verified against {@code context}); the leaf. */
    public static X509Certificate servedCertificate(SSLContext context, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            var parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}

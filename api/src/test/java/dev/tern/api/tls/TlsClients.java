package dev.tern.api.tls;

import dev.tern.signal.tls.Certificates;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A test CA, loopback server certificates written as PEM, and clients that trust only that CA. */
public final class TlsClients {
    public final Certificates.Issued ca = Certificates.certificateAuthority("Tern api test CA", Duration.ofDays(1));
    public final Path certFile;
    public final Path keyFile;

    public TlsClients(Path dir) {
        this.certFile = dir.resolve("server.crt");
        this.keyFile = dir.resolve("server.key");
    }

    /** Issues a fresh certificate for localhost and 127.0.0.1 and writes it over the PEM files. */
    public Certificates.Issued issue() {
        Certificates.Issued server = Certificates.serverCertificate(ca, Duration.ofDays(1), "localhost", "127.0.0.1");
        Certificates.writePem(certFile, keyFile, server.keys(), List.of(server.certificate(), ca.certificate()));
        return server;
    }

    public SSLContext trustingCa() {
        return trusting(ca.certificate());
    }

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

    /** A new verified TLS connection to localhost:port; the leaf certificate the listener presented. */
    public static X509Certificate served(SSLContext context, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
            socket.setSoTimeout(10_000);
            var parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }
}

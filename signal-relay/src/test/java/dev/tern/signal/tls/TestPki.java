package dev.tern.signal.tls;

import dev.tern.testsupport.tls.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

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
        return TlsTrust.trusting(ca.certificate());
    }

    /** Opens a new TLS connection to 127.0.0.1:port (certificate verified against {@code context}); the leaf. */
    public static X509Certificate servedCertificate(SSLContext context, int port) throws IOException {
        return TlsTrust.servedCertificate(context, "127.0.0.1", port, Duration.ofSeconds(5));
    }
}

package dev.tern.api.tls;

import dev.tern.signal.tls.Certificates;
import dev.tern.testsupport.tls.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;

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
        return TlsTrust.trusting(ca.certificate());
    }

    /** A new verified TLS connection to localhost:port; the leaf certificate the listener presented. */
    public static X509Certificate served(SSLContext context, int port) throws IOException {
        return TlsTrust.servedCertificate(context, "localhost", port, Duration.ofSeconds(10));
    }
}

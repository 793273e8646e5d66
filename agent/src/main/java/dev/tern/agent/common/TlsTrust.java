package dev.tern.agent.common;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * Which server certificates the agent's TLS connections (management and signal over {@code https://}, relays over
 * {@code rels://}) accept: those the JVM's trust store (on Debian built from the system's CA certificates) vouches
 * for, or only those issued by the CAs in a PEM file ({@code --ca-file}, {@code TERN_CA_FILE}) — for a private CA
 * or a self-signed server. The host name is always checked against the certificate.
 */
public final class TlsTrust {
    private final Path caFile;
    private final TrustManager[] trustManagers;

    private TlsTrust(Path caFile, TrustManager[] trustManagers) {
        this.caFile = caFile;
        this.trustManagers = trustManagers;
    }

    /** The JVM's default trust store. */
    public static TlsTrust system() {
        return new TlsTrust(null, null);
    }

    /** {@code caFile} when given, else the system trust store. */
    public static TlsTrust of(Path caFile) {
        return caFile == null ? system() : fromCaFile(caFile);
    }

    /**
     * Only the CA certificates in {@code caFile} (PEM, one or more).
     *
     * @throws IllegalArgumentException with a one-line reason when the file is missing or holds no certificate
     */
    public static TlsTrust fromCaFile(Path caFile) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --ca-file " + caFile + ": " + e.getMessage());
        } catch (CertificateException e) {
            throw new IllegalArgumentException("--ca-file " + caFile + " is not a PEM certificate file: " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("--ca-file " + caFile + " holds no certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + index++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return new TlsTrust(caFile, factory.getTrustManagers());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store from " + caFile + ": " + e.getMessage(), e);
        }
    }

    /** For gRPC channels to {@code https://} management and signal URLs. */
    public ChannelCredentials grpcCredentials() {
        if (trustManagers == null) {
            return TlsChannelCredentials.create();
        }
        return TlsChannelCredentials.newBuilder().trustManager(trustManagers).build();
    }

    /** For the relay's {@code wss://} WebSocket. */
    public SSLContext sslContext() {
        try {
            if (trustManagers == null) {
                return SSLContext.getDefault();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return caFile == null ? "system trust store" : "CA file " + caFile;
    }
}

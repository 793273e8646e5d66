package dev.tern.api.tls;

import dev.tern.api.config.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * acme4j sessions for the configured directory. With {@code TERN_ACME_CA_FILE} the directory's HTTPS certificate
 * must chain to the CAs in that file (a private ACME CA such as step-ca); otherwise acme4j's own choice applies (the
 * JVM trust store for https://, the provider's for acme://).
 */
final class AcmeSessions {
    private AcmeSessions() {
    }

    static Session open(TlsSettings.Acme settings) {
        if (settings.caFile().isEmpty()) {
            return new Session(settings.directory());
        }
        SSLContext trust = trusting(settings.caFile().get());
        return new Session(settings.directory(), new GenericAcmeProvider() {
            @Override
            protected HttpConnector createHttpConnector(NetworkSettings networkSettings) {
                return new HttpConnector(networkSettings) {
                    @Override
                    public HttpClient.Builder createClientBuilder() {
                        return super.createClientBuilder().sslContext(trust);
                    }
                };
            }

            @Override
            public boolean accepts(URI serverUri) {
                return "https".equals(serverUri.getScheme());
            }
        });
    }

    private static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(TlsSettings.ACME_CA_FILE + " " + caFile + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("acme-ca-" + index++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use " + TlsSettings.ACME_CA_FILE + " " + caFile + ": "
                    + e.getMessage(), e);
        }
    }
}

package dev.tern.api.tls;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.TernSettings;
import dev.tern.api.config.TlsSettings;
import dev.tern.signal.DataPathSettings;
import dev.tern.signal.tls.ServerTls;
import java.time.Clock;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The listeners' certificate from {@link TlsSettings}: configured PEM files, ACME, or plaintext. */
@Configuration(proxyBeanMethods = false)
class TlsConfiguration {

    @Bean
    CertificateSource certificateSource(TernSettings settings) {
        TlsSettings tls = settings.tls();
        if (tls.pem().isPresent()) {
            DataPathSettings.TlsFiles pem = tls.pem().get();
            try {
                return new CertificateSource(ListenerTls.of(ServerTls.fromPemFiles(pem.certFile(), pem.keyFile()),
                        "PEM files " + pem.certFile() + " and " + pem.keyFile() + " (re-read when they change)"), null);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(TlsSettings.CERT_FILE + "/" + TlsSettings.KEY_FILE + ": "
                        + e.getMessage());
            }
        }
        if (tls.acme().isPresent()) {
            TlsSettings.Acme acme = tls.acme().get();
            try {
                AcmeSessions.open(acme); // an unusable TERN_ACME_CA_FILE stops start-up, not the first renewal
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException(e.getMessage());
            }
            AcmeCertificates certificates = AcmeCertificates.prepare(acme, settings.storage().dataDir().resolve("acme"),
                    Clock.systemUTC());
            return new CertificateSource(ListenerTls.of(ServerTls.fromPemFiles(certificates.keys().certFile(),
                    certificates.keys().keyFile()), "ACME (" + acme.directory() + ") for " + acme.domain()
                    + ", HTTP-01 on port " + acme.httpPort()), certificates);
        }
        return new CertificateSource(ListenerTls.plaintext(), null);
    }

    @Bean
    ListenerTls listenerTls(CertificateSource source) {
        return source.tls;
    }

    @Bean
    TomcatTlsCustomizer tomcatTlsCustomizer(ListenerTls tls) {
        return new TomcatTlsCustomizer(tls);
    }

    /** Runs the ACME client (and its challenge listener) for as long as the server runs, when ACME is configured. */
    static final class CertificateSource implements SmartLifecycle {
        private final ListenerTls tls;
        private final AcmeCertificates acme;

        CertificateSource(ListenerTls tls, AcmeCertificates acme) {
            this.tls = tls;
            this.acme = acme;
        }

        @Override
        public void start() {
            if (acme != null) {
                acme.start();
            }
        }

        @Override
        public void stop() {
            if (acme != null) {
                acme.stop();
            }
        }

        @Override
        public boolean isRunning() {
            return acme == null || acme.isRunning();
        }
    }
}

package dev.tern.api.tls;

import dev.tern.signal.tls.ReloadingKeyManager;
import dev.tern.signal.tls.ServerTls;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

/**
 * Puts the REST connector on TLS with tern-server's one {@link ServerTls}. Tomcat gets a ready SSL context whose key
 * manager is asked at every handshake, rather than Tomcat's own PEM loading, so that a replaced certificate reaches
 * new REST connections the same way it reaches the gRPC and relay listeners, without a connector reload.
 */
final class TomcatTlsCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {
    private final ListenerTls tls;

    TomcatTlsCustomizer(ListenerTls tls) {
        this.tls = tls;
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        tls.serverTls().ifPresent(serverTls -> factory.addConnectorCustomizers(connector -> {
            connector.setScheme("https");
            connector.setSecure(true);
            if (!(connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http)) {
                throw new IllegalStateException("the REST connector is not HTTP/1.1; cannot enable TLS on it");
            }
            http.setSSLEnabled(true);
            SSLHostConfig host = new SSLHostConfig();
            host.setProtocols("TLSv1.2+TLSv1.3");
            SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(host,
                    SSLHostConfigCertificate.Type.UNDEFINED);
            certificate.setSslContext(new ReadyContext(serverTls.jdkServerContext(), serverTls.keyManager()));
            host.addCertificate(certificate);
            http.addSslHostConfig(host);
        }));
    }

    /** Tomcat's view of a JDK context that is already initialised with our key manager. */
    private record ReadyContext(javax.net.ssl.SSLContext context, ReloadingKeyManager keys)
            implements org.apache.tomcat.util.net.SSLContext {
        @Override
        public void init(KeyManager[] kms, TrustManager[] tms, SecureRandom sr) {
            // initialised at construction; Tomcat only calls this on contexts it made itself
        }

        @Override
        public void destroy() {
        }

        @Override
        public SSLSessionContext getServerSessionContext() {
            return context.getServerSessionContext();
        }

        @Override
        public SSLEngine createSSLEngine() {
            return context.createSSLEngine();
        }

        @Override
        public SSLServerSocketFactory getServerSocketFactory() {
            return context.getServerSocketFactory();
        }

        @Override
        public SSLParameters getSupportedSSLParameters() {
            return context.getSupportedSSLParameters();
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {keys.certificate()};
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}

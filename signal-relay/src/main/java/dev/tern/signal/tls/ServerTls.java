package dev.tern.signal.tls;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * TLS for Tern's listeners: one certificate chain and key (PEM files, reloaded when they change, see
 * {@link ReloadingKeyManager}) shared by every listener of the process. Contexts use the JDK's TLS engine, which
 * asks the key manager at each handshake; that is what makes a reload reach new connections.
 */
public final class ServerTls {
    /** TLS 1.2 is still what many NetBird clients' Go versions negotiate at least; nothing older. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final ReloadingKeyManager keyManager;

    private ServerTls(ReloadingKeyManager keyManager) {
        this.keyManager = keyManager;
    }

    /** @throws IllegalArgumentException with a one-line reason when the files cannot be used */
    public static ServerTls fromPemFiles(Path certFile, Path keyFile) {
        return new ServerTls(ReloadingKeyManager.load(certFile, keyFile));
    }

    public ReloadingKeyManager keyManager() {
        return keyManager;
    }

    /** For gRPC servers (HTTP/2 negotiated with ALPN). */
    public SslContext grpcServerContext() {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(keyManager), SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the gRPC TLS context: " + e.getMessage(), e);
        }
    }

    /** For HTTP/1.1 servers on Netty (the relay's WebSocket). */
    public SslContext httpServerContext() {
        try {
            return SslContextBuilder.forServer(keyManager)
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the relay TLS context: " + e.getMessage(), e);
        }
    }

    /** A JDK context for servers that take one (Tomcat). */
    public SSLContext jdkServerContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keyManager}, null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
        }
    }
}

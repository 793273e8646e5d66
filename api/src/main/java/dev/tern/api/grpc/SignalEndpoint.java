package dev.tern.api.grpc;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;
import dev.tern.api.tls.ListenerTls;
import dev.tern.protocol.management.HostConfig;
import dev.tern.signal.SignalLimits;
import dev.tern.signal.SignalServer;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Where peers find the signal node. With {@code TERN_SIGNAL_URL} set, that URL's host and port; without it, a
 * {@link SignalServer} runs inside tern-server (port {@code TERN_SIGNAL_PORT}, default 10000) and peers get it at
 * the host they used to reach the management service — the one address we know they can reach.
 *
 * <p>{@link dev.tern.signal.DataPathSettings#signalPort()} follows a free gRPC port: test servers ({@code tern.grpc-port=0}) put their
 * signal node on a free port too, so parallel test servers never fight over 10000.
 */
final class SignalEndpoint implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SignalEndpoint.class);

    private final URI externalUrl;
    private final int inProcessPort;
    private final SignalLimits limits;
    private final ListenerTls tls;
    private volatile SignalServer inProcess;

    SignalEndpoint(TernSettings settings) {
        this(settings, ListenerTls.plaintext());
    }

    /** With TLS on, the in-process node serves TLS only and peers are told HTTPS. */
    SignalEndpoint(TernSettings settings, ListenerTls tls) {
        this.externalUrl = settings.signalUrl().orElse(null);
        this.inProcessPort = settings.dataPath().signalPort();
        this.limits = settings.dataPath().signalLimits();
        this.tls = tls;
    }

    /** The signal address for a peer that reached us at {@code managementHost} (from the call's authority). */
    HostConfig hostConfig(String managementHost) {
        if (externalUrl != null) {
            boolean https = "https".equals(externalUrl.getScheme());
            int port = externalUrl.getPort() > 0 ? externalUrl.getPort() : (https ? 443 : 80);
            return HostConfig.newBuilder()
                    .setUri(hostPort(externalUrl.getHost(), port))
                    .setProtocol(https ? HostConfig.Protocol.HTTPS : HostConfig.Protocol.HTTP)
                    .build();
        }
        String host = managementHost == null || managementHost.isBlank() ? "localhost" : managementHost;
        return HostConfig.newBuilder()
                .setUri(hostPort(host, inProcessPort()))
                .setProtocol(tls.enabled() ? HostConfig.Protocol.HTTPS : HostConfig.Protocol.HTTP)
                .build();
    }

    /** The bound port of the in-process signal node. */
    int inProcessPort() {
        SignalServer server = inProcess;
        if (server == null) {
            throw new IllegalStateException("no in-process signal node is running");
        }
        return server.port();
    }

    boolean runsInProcess() {
        return externalUrl == null;
    }

    static String hostPort(String host, int port) {
        // URI.getHost keeps IPv6 brackets; a bare IPv6 address from an authority needs them added.
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return h + ":" + port;
    }

    @Override
    public synchronized void start() {
        if (externalUrl == null && inProcess == null) {
            try {
                SignalServer server = new SignalServer(new InetSocketAddress(inProcessPort), limits);
                tls.serverTls().ifPresent(server::tls);
                inProcess = server.start();
            } catch (UncheckedIOException e) {
                throw new StartupFailure("signal cannot listen on port " + inProcessPort + " ("
                        + e.getCause().getMessage() + "); set " + TernSettings.SIGNAL_PORT + " to a free port", e);
            }
            log.info("In-process signal node on port {}", inProcess.port());
        }
    }

    @Override
    public synchronized void stop() {
        SignalServer server = inProcess;
        inProcess = null;
        if (server != null) {
            server.close();
        }
    }

    @Override
    public boolean isRunning() {
        return externalUrl != null || inProcess != null;
    }

    /** Before the management service starts (it hands out this address) and after it stops. */
    @Override
    public int getPhase() {
        return ManagementGrpcServer.PHASE - 1;
    }
}

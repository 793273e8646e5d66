package dev.tern.api.grpc;

import dev.tern.api.datapath.EmbeddedDataPathNode;
import dev.tern.signal.GrpcKeepalive;
import dev.tern.signal.tls.ServerTls;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The device-facing gRPC server (grpc-netty) on {@code TERN_GRPC_PORT}, started and stopped with the Spring
 * context. Port 0 binds a free port; {@link #port()} tells which. Stopping ends every Sync stream with UNAVAILABLE
 * (clients reconnect to the next server), lets unary calls in flight finish briefly, then forces the rest.
 */
public final class ManagementGrpcServer implements SmartLifecycle {
    /**
     * Starts with the web server, after everything it serves is ready (right after the data-path node whose
     * addresses it hands out); stops before the rest shuts down.
     */
    static final int PHASE = EmbeddedDataPathNode.PHASE + 1;
    private static final Duration GRACE = Duration.ofSeconds(5);
    /** Headers of a NetBird call are a few hundred bytes; gRPC's default is 8 KiB. */
    static final int MAX_INBOUND_METADATA_BYTES = 8 * 1024;
    static final Duration MAX_CONNECTION_IDLE = Duration.ofMinutes(15);
    /** A connection must have finished its (TLS and) HTTP/2 handshake by then. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(ManagementGrpcServer.class);

    private final int configuredPort;
    private final ManagementService service;
    private final SyncSessions sessions;
    private final List<ExecutorService> ownedExecutors;
    private final ExecutorService callExecutor;
    private final Duration lastSeenRefresh;
    private final Duration configRefresh;
    private final GrpcLimits limits;
    private ScheduledExecutorService refresher;
    private volatile Server server;
    private ServerTls tls;

    /**
     * @param ownedExecutors executors shut down with the server (the call executor and the service's push executor)
     * @param callExecutor   runs the gRPC calls
     * @param configRefresh  how often open streams get a fresh NetbirdConfig (relay token); well under the token's
     *                       lifetime, so that no client ever holds only an expiring one
     * @param limits         what one client can make the server hold
     */
    ManagementGrpcServer(int configuredPort, ManagementService service, SyncSessions sessions,
                         List<ExecutorService> ownedExecutors, ExecutorService callExecutor, Duration lastSeenRefresh,
                         Duration configRefresh, GrpcLimits limits) {
        this.configuredPort = configuredPort;
        this.service = service;
        this.sessions = sessions;
        this.ownedExecutors = List.copyOf(ownedExecutors);
        this.callExecutor = callExecutor;
        this.lastSeenRefresh = lastSeenRefresh;
        this.configRefresh = configRefresh;
        this.limits = limits;
    }

    /** Serves TLS only (no plaintext on the port) with the given certificate; call before {@link #start()}. */
    synchronized ManagementGrpcServer tls(ServerTls serverTls) {
        if (server != null) {
            throw new IllegalStateException("management gRPC server is already running");
        }
        this.tls = serverTls;
        return this;
    }

    /** The port the server listens on (the chosen one when configured with 0). */
    public int port() {
        Server running = server;
        if (running == null) {
            throw new IllegalStateException("management gRPC server is not running");
        }
        return ((InetSocketAddress) running.getListenSockets().get(0)).getPort();
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        NettyServerBuilder builder = NettyServerBuilder.forPort(configuredPort);
        if (tls != null) {
            builder.sslContext(tls.grpcServerContext());
        }
        // Notice clients that vanished without closing, so they turn disconnected.
        Server built = GrpcKeepalive.apply(builder)
                .executor(callExecutor)
                // the last interceptor runs first: a call over the address's limit is refused before anything
                .addService(ServerInterceptors.intercept(MalformedRequests.refused(service.bindService()), new CallOrigin(),
                        new CallsPerAddressLimit(limits.maxCallsPerAddress())))
                .maxConcurrentCallsPerConnection(limits.maxCallsPerConnection())
                .maxInboundMessageSize(limits.maxInboundMessageBytes())
                .maxInboundMetadataSize(MAX_INBOUND_METADATA_BYTES)
                // a connection that carries no call (NetBird clients always keep their Sync stream) is abandoned
                .maxConnectionIdle(MAX_CONNECTION_IDLE.toMinutes(), TimeUnit.MINUTES)
                .handshakeTimeout(HANDSHAKE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                .build();
        try {
            server = built.start();
        } catch (IOException e) {
            throw new UncheckedIOException("management gRPC cannot listen on port " + configuredPort + ": "
                    + e.getMessage(), e);
        }
        refresher = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("mgmt-last-seen", true));
        long every = lastSeenRefresh.toMillis();
        refresher.scheduleWithFixedDelay(sessions::refreshLastSeen, every, every, TimeUnit.MILLISECONDS);
        long configEvery = configRefresh.toMillis();
        refresher.scheduleWithFixedDelay(sessions::resendConfigs, configEvery, configEvery, TimeUnit.MILLISECONDS);
        log.info("Management gRPC listening on port {}{}", port(), tls != null ? " (TLS)" : "");
    }

    @Override
    public synchronized void stop() {
        Server running = server;
        if (running == null) {
            return;
        }
        running.shutdown();
        sessions.terminateAll(Status.UNAVAILABLE.withDescription("management server is shutting down"));
        refresher.shutdownNow();
        try {
            if (!running.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                running.shutdownNow();
                running.awaitTermination(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            running.shutdownNow();
            Thread.currentThread().interrupt();
        }
        ownedExecutors.forEach(ExecutorService::shutdownNow);
        server = null;
        log.info("Management gRPC stopped");
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}

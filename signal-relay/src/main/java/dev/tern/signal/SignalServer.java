package dev.tern.signal;

import dev.tern.signal.tls.ServerTls;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The signal exchange served over gRPC on Netty. Embeddable: tern-server creates one, calls {@link #start()}
 * and {@link #close()}; the standalone node does the same from {@link SignalRelayMain}.
 */
public final class SignalServer implements AutoCloseable {
    /** The longest a half-open connection keeps its key registered (a newcomer from elsewhere waits this long). */
    static final Duration DEAD_CONNECTION_DETECTION = GrpcKeepalive.DEAD_CONNECTION_DETECTION;
    private static final Logger log = LoggerFactory.getLogger(SignalServer.class);

    private final InetSocketAddress address;
    private final SignalLimits limits;
    private final SignalExchangeService service;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ExecutorService executor;
    private Server server;
    private ServerTls tls;

    /** Listens on all interfaces at {@code port}; 0 picks a free port (see {@link #port()}). */
    public SignalServer(int port) {
        this(new InetSocketAddress(port));
    }

    public SignalServer(InetSocketAddress address) {
        this(address, SignalLimits.defaults());
    }

    public SignalServer(InetSocketAddress address, SignalLimits limits) {
        this.address = address;
        this.limits = limits;
        this.service = new SignalExchangeService(limits);
    }

    /** Serves TLS only (no plaintext on this port), with the given certificate; call before {@link #start()}. */
    public synchronized SignalServer tls(ServerTls serverTls) {
        if (server != null) {
            throw new IllegalStateException("signal server already started");
        }
        this.tls = serverTls;
        return this;
    }

    /** Whether this server speaks TLS (peers are then told HTTPS). */
    public synchronized boolean usesTls() {
        return tls != null;
    }

    /**
     * Binds and starts serving.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public synchronized SignalServer start() {
        if (server != null) {
            throw new IllegalStateException("signal server already started");
        }
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("signal-boss", true));
        workers = new NioEventLoopGroup(0, new DefaultThreadFactory("signal-io", true));
        executor = Executors.newCachedThreadPool(new DefaultThreadFactory("signal-call", true));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address);
        if (tls != null) {
            builder.sslContext(tls.grpcServerContext());
        }
        // Detect peers that vanished without closing, so their registration goes away.
        Server built = GrpcKeepalive.apply(builder)
                .channelType(NioServerSocketChannel.class)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .executor(executor)
                .addService(service)
                // Signal messages are a few hundred bytes; the limit leaves room and caps what one call can cost.
                .maxInboundMessageSize(limits.maxMessageBytes())
                // Bounds what one connection can make the node hold: its calls, and per call the inbound bytes
                // HTTP/2 lets it send before the node reads them (a fixed window instead of BDP auto-growth).
                .maxConcurrentCallsPerConnection(limits.maxCallsPerConnection())
                .flowControlWindow(2 * limits.maxMessageBytes())
                .build();
        try {
            server = built.start();
        } catch (IOException e) {
            shutdownResources();
            throw new UncheckedIOException("signal server cannot listen on " + address + ": " + e.getMessage(), e);
        }
        log.info("signal exchange listening on {}:{}{}", address.getHostString(), port(), tls != null ? " (TLS)" : "");
        return this;
    }

    /** The bound port; useful when constructed with port 0. */
    public int port() {
        if (server == null) {
            throw new IllegalStateException("signal server not started");
        }
        return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    }

    public SignalExchangeService service() {
        return service;
    }

    /** Blocks until the server has shut down (the standalone main thread waits here). */
    public void awaitTermination() throws InterruptedException {
        Server running;
        synchronized (this) {
            running = server;
        }
        if (running != null) {
            running.awaitTermination();
        }
    }

    /**
     * Stops accepting calls, ends open streams with UNAVAILABLE (clients reconnect), waits briefly for calls in
     * flight, then releases every thread.
     */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.shutdown();
        service.closeAllStreams("signal node is shutting down");
        try {
            if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
                // Signal streams are long-lived by design; they will not end on their own.
                server.shutdownNow();
                server.awaitTermination(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        shutdownResources();
        server = null;
        log.info("signal exchange stopped");
    }

    private void shutdownResources() {
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}

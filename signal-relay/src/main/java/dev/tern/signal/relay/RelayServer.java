package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayTokens;
import io.netty.bootstrap.ServerBootstrap;
import dev.tern.signal.tls.ServerTls;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * NetBird-compatible relay (protocol v1 over WebSocket at {@code /relay}): authenticated peers exchange
 * WireGuard packets the relay cannot read. Tokens are checked with the secret shared with the management server.
 */
public final class RelayServer implements AutoCloseable {
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(10);
    static final Duration HEALTH_CHECK_INTERVAL = Duration.ofSeconds(25);
    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);

    private final InetSocketAddress address;
    private final RelaySessionSettings settings;
    private final RelayHub hub = new RelayHub();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel channel;
    private ServerTls tls;

    /**
     * @param instanceUrl the URL peers are told in AuthResponse and that management hands out, e.g.
     *                    {@code rel://relay.example:33080}
     */
    public RelayServer(InetSocketAddress address, RelayTokens tokens, String instanceUrl) {
        this(address, new RelaySessionSettings(tokens, instanceUrl, AUTH_TIMEOUT, HEALTH_CHECK_INTERVAL));
    }

    RelayServer(InetSocketAddress address, RelaySessionSettings settings) {
        this.address = address;
        this.settings = settings;
    }

    /** Serves {@code wss://} only (no plaintext on this port), with the given certificate; call before {@link #start()}. */
    public synchronized RelayServer tls(ServerTls serverTls) {
        if (channel != null) {
            throw new IllegalStateException("relay server already started");
        }
        this.tls = serverTls;
        return this;
    }

    public synchronized RelayServer start() {
        if (channel != null) {
            throw new IllegalStateException("relay server already started");
        }
        boss = new NioEventLoopGroup(1, new DefaultThreadFactory("relay-boss", true));
        workers = new NioEventLoopGroup(0, new DefaultThreadFactory("relay-io", true));
        ChannelInitializer<SocketChannel> relay = new RelayServerInitializer(hub, settings);
        ChannelInitializer<SocketChannel> connection = tls == null ? relay : withTls(tls.httpServerContext(), relay);
        try {
            channel = new ServerBootstrap().group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    // Bounded per-connection output: above the high mark the handler pauses the senders to this receiver.
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // At most 4 reads (≤ 256 KiB) per read loop: what a sender hands over before its receiver's
                    // congestion pauses it stays well inside RelayDelivery.MAX_QUEUED_PER_RECEIVER.
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(4))
                    .childHandler(connection)
                    .bind(address).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the checked BindException undeclared
            shutdownGroups();
            throw new UncheckedIOException("relay cannot listen on " + address + ": " + e.getMessage(),
                    e instanceof SocketException se ? se : new SocketException(e.toString()));
        }
        log.info("relay listening on {}:{}{} as {}{}", address.getHostString(), port(), RelayServerInitializer.PATH,
                settings.instanceUrl(), tls != null ? " (TLS)" : "");
        return this;
    }

    /** TLS first, then the relay's own pipeline; a client that does not start with a TLS handshake is dropped. */
    private static ChannelInitializer<SocketChannel> withTls(SslContext context, ChannelInitializer<SocketChannel> relay) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                channel.pipeline().addLast(context.newHandler(channel.alloc()), relay);
            }
        };
    }

    public int port() {
        if (channel == null) {
            throw new IllegalStateException("relay server not started");
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The connection of an authenticated peer, or null; for tests of this package. */
    Channel channelOf(PeerId peer) {
        return hub.channelOf(peer);
    }

    public int connectedPeers() {
        return hub.connectedPeers();
    }

    /**
     * Ends the session of a deleted or expired peer and refuses its tokens issued so far (those expiring at or before
     * {@code tokensExpiringBy}, i.e. the revocation instant plus the token lifetime) until they lapse. Tokens issued
     * after the peer logged in again expire later and are accepted. Safe from any thread.
     */
    public void revoke(PeerId peer, Instant tokensExpiringBy) {
        hub.revoke(peer, tokensExpiringBy);
    }

    /** Whether a peer with this id is authenticated right now. */
    public boolean isConnected(PeerId peer) {
        return hub.isOnline(peer);
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
            hub.closeAll();
        }
        shutdownGroups();
    }

    private void shutdownGroups() {
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            boss = null;
        }
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            workers = null;
        }
    }
}

package dev.tern.signal.stun;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.TimeUnit;

/** STUN Binding service (RFC 5389) on UDP, default port 3478. */
public final class StunServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StunServer.class);

    private final InetSocketAddress address;
    private EventLoopGroup group;
    private Channel channel;

    public StunServer(int port) {
        this(new InetSocketAddress(port));
    }

    public StunServer(InetSocketAddress address) {
        this.address = address;
    }

    public synchronized StunServer start() {
        if (channel != null) {
            throw new IllegalStateException("STUN server already started");
        }
        group = StunTransport.group(1, "stun");
        try {
            channel = new Bootstrap().group(group).channel(StunTransport.datagramChannel())
                    .handler(new StunServerInitializer())
                    .bind(address).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the checked BindException undeclared

            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
            throw new UncheckedIOException("STUN server cannot listen on udp " + address + ": " + e.getMessage(),
                    e instanceof SocketException se ? se : new SocketException(e.toString()));
        }
        log.info("STUN listening on udp {}:{}", address.getHostString(), port());
        return this;
    }

    public int port() {
        if (channel == null) {
            throw new IllegalStateException("STUN server not started");
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
            channel = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }
}

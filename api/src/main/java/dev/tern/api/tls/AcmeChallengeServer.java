package dev.tern.api.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Plain HTTP on the ACME HTTP-01 port: answers {@code GET /.well-known/acme-challenge/<token>} with the key
 * authorization of a challenge in progress, 404 for anything else. One request per connection, small limits (no
 * request body, 4 KiB of request line and headers, 10 s to send them), because this port faces the internet.
 */
final class AcmeChallengeServer implements AutoCloseable {
    static final String PATH_PREFIX = "/.well-known/acme-challenge/";
    private static final int MAX_REQUEST_BYTES = 4096;

    private final Map<String, String> authorizations = new ConcurrentHashMap<>();
    private EventLoopGroup group;
    private Channel channel;

    /** @throws UncheckedIOException when the port cannot be bound */
    synchronized AcmeChallengeServer start(int port) {
        group = new NioEventLoopGroup(1, new DefaultThreadFactory("acme-http01", true));
        try {
            channel = new ServerBootstrap().group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new ReadTimeoutHandler(10, TimeUnit.SECONDS))
                                    .addLast(new HttpServerCodec(MAX_REQUEST_BYTES, MAX_REQUEST_BYTES, 1024))
                                    .addLast(new HttpObjectAggregator(0))
                                    .addLast(new ChallengeHandler());
                        }
                    })
                    .bind(new InetSocketAddress(port)).syncUninterruptibly().channel();
        } catch (Exception e) { // Netty rethrows the checked BindException undeclared
            close();
            throw new UncheckedIOException("ACME HTTP-01 cannot listen on port " + port + ": " + e.getMessage(),
                    e instanceof SocketException se ? se : new SocketException(e.toString()));
        }
        return this;
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    void offer(String token, String keyAuthorization) {
        authorizations.put(token, keyAuthorization);
    }

    void withdraw(String token) {
        authorizations.remove(token);
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

    private final class ChallengeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String answer = null;
            String uri = request.uri();
            if (request.decoderResult().isSuccess() && HttpMethod.GET.equals(request.method())
                    && uri.startsWith(PATH_PREFIX)) {
                answer = authorizations.get(uri.substring(PATH_PREFIX.length()));
            }
            byte[] body = (answer != null ? answer
                    : "{\"message\":\"not an ACME challenge in progress\",\"code\":404}").getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                    answer != null ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND, Unpooled.wrappedBuffer(body));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, answer != null ? "text/plain" : "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // oversized request, read timeout, reset: nothing to answer
        }
    }
}

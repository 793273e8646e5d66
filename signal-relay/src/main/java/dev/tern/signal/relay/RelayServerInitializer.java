package dev.tern.signal.relay;

import dev.tern.protocol.relay.RelayFrameCodec;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

import java.nio.charset.StandardCharsets;

/** HTTP → WebSocket upgrade at {@code /relay} → one {@link RelayServerHandler} per connection. */
final class RelayServerInitializer extends ChannelInitializer<SocketChannel> {
    static final String PATH = "/relay";

    private final RelayHub hub;
    private final RelaySessionSettings settings;

    RelayServerInitializer(RelayHub hub, RelaySessionSettings settings) {
        this.hub = hub;
        this.settings = settings;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channel.pipeline()
                .addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(8192))
                .addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                        .websocketPath(PATH)
                        .checkStartsWith(false)
                        .maxFramePayloadLength(RelayFrameCodec.MAX_MESSAGE_SIZE)
                        .handshakeTimeoutMillis(settings.authTimeout().toMillis())
                        // Binary only: the relay handler closes on a text frame, so checking its UTF-8 buys nothing
                        // and costs every frame a handler.
                        .withUTF8Validator(false)
                        .build()))
                // A relay message may arrive split into continuation frames; hand the handler whole messages.
                .addLast(new WebSocketFrameAggregator(RelayFrameCodec.MAX_MESSAGE_SIZE))
                .addLast(new NotFound())
                .addLast(new RelayServerHandler(hub, settings));
    }

    /**
     * Plain HTTP requests that are not a WebSocket upgrade to /relay. Leaves the pipeline once the upgrade is done:
     * every frame would pass it, and every idle session would hold it.
     */
    private static final class NotFound extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                ctx.pipeline().remove(this);
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            byte[] body = "{\"message\":\"the relay speaks WebSocket at /relay\",\"code\":404}"
                    .getBytes(StandardCharsets.UTF_8);
            DefaultFullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                    HttpResponseStatus.NOT_FOUND, Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}

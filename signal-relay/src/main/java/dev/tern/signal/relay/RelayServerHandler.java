package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayFrameException;
import dev.tern.protocol.relay.RelayMessageType;
import dev.tern.protocol.relay.RelayTokenException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One relay connection. The first binary message must be a valid Auth within the auth timeout, with a token issued
 * for the peer id it claims, otherwise the connection is closed without an answer (as NetBird's relay does). After
 * that, Transport messages are forwarded to the named peer with the sender's id swapped in; the payload (a WireGuard
 * packet) is never read; {@link RelayDelivery} hands it on, pausing the sender while its receiver is
 * congested.
 */
final class RelayServerHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(RelayServerHandler.class);

    private final RelayHub hub;
    private final RelaySessionSettings settings;
    /** Peer ids one connection may watch at once. */
    static final int MAX_SUBSCRIPTIONS = 4096;
    private static final int TRANSPORT_HEADER_SIZE = 2 + PeerId.SIZE;

    private PeerId self;
    private byte[] selfBytes;
    private RelayDelivery delivery;
    private final Set<PeerId> subscriptions = new HashSet<>();
    private boolean healthCheckAnswered = true;
    /** Whether this connection's first Transport was relayed (and its event loop decided, see RelayLoops). */
    private boolean placed;
    private ScheduledFuture<?> authDeadline;
    private ScheduledFuture<?> healthChecks;

    RelayServerHandler(RelayHub hub, RelaySessionSettings settings) {
        this.hub = hub;
        this.settings = settings;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        authDeadline = ctx.executor().schedule(() -> {
            if (self == null) {
                log.debug("relay client did not authenticate within {}; closing", settings.authTimeout());
                ctx.close();
            }
        }, settings.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (!(frame instanceof BinaryWebSocketFrame)) {
            ctx.close(); // the relay protocol is binary only; control frames are handled before this handler
            return;
        }
        ByteBuf content = frame.content();
        if (self != null && isTransport(content)) {
            forward(ctx, (BinaryWebSocketFrame) frame);
            return;
        }
        byte[] msg = ByteBufUtil.getBytes(content);
        try {
            if (self == null) {
                authenticate(ctx, msg);
            } else {
                handle(ctx, msg);
            }
        } catch (RelayFrameException e) {
            log.debug("malformed relay message from {}: {}", self, e.getMessage());
            ctx.close();
        }
    }

    private void authenticate(ChannelHandlerContext ctx, byte[] msg) {
        RelayFrame frame = RelayFrameCodec.decode(msg);
        if (!(frame instanceof RelayFrame.Auth auth)) {
            ctx.close();
            return;
        }
        Instant tokenExpiry;
        try {
            // The token names the peer id management issued it for; it must be the id this client claims.
            tokenExpiry = settings.tokens().verifyMarshalled(auth.token(), auth.peerId());
        } catch (RelayTokenException e) {
            log.debug("relay auth refused for {}: {}", auth.peerId(), e.getMessage());
            ctx.close();
            return;
        }
        if (!hub.register(auth.peerId(), ctx.channel(), tokenExpiry)) {
            log.debug("relay auth refused for {}: peer revoked, or a live session holds a newer token",
                    auth.peerId());
            ctx.close();
            return;
        }
        self = auth.peerId();
        selfBytes = self.toBytes();
        delivery = new RelayDelivery(ctx.channel());
        authDeadline.cancel(false);
        ctx.writeAndFlush(RelayHub.frame(new RelayFrame.AuthResponse(settings.instanceUrl())));
        scheduleHealthCheck(ctx);
        log.debug("relay peer authenticated: {}", self);
    }

    private void handle(ChannelHandlerContext ctx, byte[] msg) {
        RelayFrame frame = RelayFrameCodec.decode(msg);
        if (frame instanceof RelayFrame.HealthCheck) {
            healthCheckAnswered = true;
        } else if (frame instanceof RelayFrame.Close) {
            ctx.close();
        } else if (frame instanceof RelayFrame.PeerList list) {
            switch (list.type()) {
                case SUBSCRIBE_PEER_STATE -> {
                    subscriptions.addAll(list.peerIds());
                    if (subscriptions.size() > MAX_SUBSCRIPTIONS) {
                        // every subscription is held in the hub until the connection ends: bound what one client
                        // can make the relay hold (a peer watches the peers it relays to, a few hundred at most)
                        log.debug("relay peer {} subscribed to more than {} peers; closing", self, MAX_SUBSCRIPTIONS);
                        ctx.close();
                        return;
                    }
                    hub.subscribe(ctx.channel(), list.peerIds());
                }
                case UNSUBSCRIBE_PEER_STATE -> {
                    list.peerIds().forEach(subscriptions::remove);
                    hub.unsubscribe(ctx.channel(), list.peerIds());
                }
                default -> ctx.close(); // online/offline notices only flow server→client
            }
        } else {
            ctx.close(); // a second Auth or a server-only message: protocol violation
        }
    }

    private static boolean isTransport(ByteBuf content) {
        return content.readableBytes() >= TRANSPORT_HEADER_SIZE
                && content.getByte(content.readerIndex()) == RelayFrameCodec.PROTOCOL_VERSION
                && content.getByte(content.readerIndex() + 1) == RelayMessageType.TRANSPORT.code();
    }

    /** Passes the frame on as it came (no copy), with the destination's id replaced by the sender's. */
    private void forward(ChannelHandlerContext ctx, BinaryWebSocketFrame frame) {
        ByteBuf content = frame.content();
        byte[] destinationId = new byte[PeerId.SIZE];
        content.getBytes(content.readerIndex() + 2, destinationId);
        Channel target = hub.channelOf(PeerId.fromBytes(destinationId, 0));
        if (target == null) {
            return;
        }
        content.setBytes(content.readerIndex() + 2, selfBytes);
        delivery.send(target, frame.retain());
        if (!placed) {
            placed = true;
            RelayLoops.colocate(ctx.channel(), target);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (delivery != null) {
            delivery.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            RelayDelivery.receiverDrained(ctx.channel());
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * One check at a time, each scheduling the next on the loop the connection is on then: the connection may move
     * to its partner's loop ({@link RelayLoops}), and a timer left on the old loop would touch it from two threads.
     */
    private void scheduleHealthCheck(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        healthChecks = channel.eventLoop().schedule(() -> RelayLoops.onLoop(channel, c -> healthCheck(ctx)),
                settings.healthCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void healthCheck(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (!healthCheckAnswered) {
            log.debug("relay peer {} stopped answering health checks; closing", self);
            ctx.close();
            return;
        }
        healthCheckAnswered = false;
        ctx.writeAndFlush(RelayHub.frame(new RelayFrame.HealthCheck()));
        scheduleHealthCheck(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimers();
        hub.unregister(self, ctx.channel());
        RelayDelivery.receiverDrained(ctx.channel());
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("relay connection of {} failed: {}", self, cause.toString());
        ctx.close();
    }

    private void cancelTimers() {
        if (authDeadline != null) {
            authDeadline.cancel(false);
        }
        if (healthChecks != null) {
            healthChecks.cancel(false);
        }
    }
}

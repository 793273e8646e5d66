package dev.tern.signal.stun;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each Binding request with the address it came from; silently ignores every other datagram. Answers to the
 * datagrams of one read go out with one flush when the read completes, not one flush (and wake-up) each.
 */
@ChannelHandler.Sharable
final class StunServerHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(StunServerHandler.class);

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        StunMessages.bindingRequestTransactionId(packet.content()).ifPresent(transactionId ->
                ctx.write(new DatagramPacket(
                        StunMessages.bindingSuccess(ctx.alloc(), transactionId, packet.sender()), packet.sender()),
                        ctx.voidPromise()));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP server has no connection to lose: log and keep serving.
        log.warn("STUN datagram failed: {}", cause.toString());
    }
}

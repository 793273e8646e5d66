package dev.tern.signal.stun;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers each Binding request with the address it came from; silently ignores every other datagram. */
@ChannelHandler.Sharable
final class StunServerHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private static final Logger log = LoggerFactory.getLogger(StunServerHandler.class);

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        StunMessages.bindingRequestTransactionId(packet.content()).ifPresent(transactionId ->
                ctx.writeAndFlush(new DatagramPacket(
                        StunMessages.bindingSuccess(ctx.alloc(), transactionId, packet.sender()), packet.sender())));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP server has no connection to lose: log and keep serving.
        log.warn("STUN datagram failed: {}", cause.toString());
    }
}

package dev.tern.signal.stun;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DatagramChannel;

final class StunServerInitializer extends ChannelInitializer<DatagramChannel> {
    private final StunServerHandler handler = new StunServerHandler();

    @Override
    protected void initChannel(DatagramChannel channel) {
        channel.pipeline().addLast(handler);
    }
}

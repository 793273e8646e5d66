package dev.tern.signal.stun;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class StunServerHandlerTest {
    // Transaction id of the RFC 5769 sample messages.
    private static final byte[] TRANSACTION_ID = Hex.decode("b7e7a701bc34d686fa87dfae");
    private final EmbeddedChannel channel = new EmbeddedChannel(new StunServerHandler());
    private final InetSocketAddress server = new InetSocketAddress("192.0.2.254", 3478);

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void ipv4BindingRequestGetsTheXorMappedAddressOfRfc5769() throws Exception {
        InetSocketAddress client = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);

        channel.writeInbound(new DatagramPacket(bindingRequest(TRANSACTION_ID), server, client));

        DatagramPacket reply = channel.readOutbound();
        assertThat(reply.recipient()).isEqualTo(client);
        String hex = ByteBufUtil.hexDump(reply.content());
        reply.release();
        // header: success type, length 12, magic cookie, transaction id
        assertThat(hex).startsWith("0101000c2112a442b7e7a701bc34d686fa87dfae");
        // RFC 5769 section 2.2: XOR-MAPPED-ADDRESS for 192.0.2.1 port 32853
        assertThat(hex.substring(40)).isEqualTo("002000080001a147e112a643");
    }

    @Test
    void ipv6BindingRequestGetsTheXorMappedAddressOfRfc5769() throws Exception {
        InetSocketAddress client = new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);

        channel.writeInbound(new DatagramPacket(bindingRequest(TRANSACTION_ID), server, client));

        DatagramPacket reply = channel.readOutbound();
        String hex = ByteBufUtil.hexDump(reply.content());
        reply.release();
        // RFC 5769 section 2.3: the address is XORed with cookie ‖ transaction id
        assertThat(hex.substring(40)).isEqualTo("002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9");
    }

    @Test
    void answersToTheRequestsOfOneReadGoOutTogetherWhenTheReadCompletes() {
        InetSocketAddress client = new InetSocketAddress("192.0.2.1", 32853);
        channel.pipeline().fireChannelRead(new DatagramPacket(bindingRequest(TRANSACTION_ID), server, client));
        channel.pipeline().fireChannelRead(new DatagramPacket(bindingRequest(TRANSACTION_ID), server, client));
        assertThat((Object) channel.readOutbound()).as("nothing flushed while the read runs").isNull();

        channel.pipeline().fireChannelReadComplete();

        for (int i = 0; i < 2; i++) {
            DatagramPacket reply = channel.readOutbound();
            assertThat(reply.recipient()).isEqualTo(client);
            reply.release();
        }
    }

    @Test
    void requestWithAttributesIsAnsweredToo() {
        ByteBuf request = Unpooled.buffer();
        request.writeShort(0x0001).writeShort(8).writeInt(StunMessages.MAGIC_COOKIE).writeBytes(TRANSACTION_ID);
        request.writeShort(0x8022).writeShort(4).writeBytes(new byte[]{'t', 'e', 's', 't'}); // SOFTWARE
        channel.writeInbound(new DatagramPacket(request, server, new InetSocketAddress("198.51.100.7", 40000)));

        DatagramPacket reply = channel.readOutbound();
        assertThat(reply).isNotNull();
        reply.release();
    }

    @Test
    void anythingButAWellFormedBindingRequestIsIgnored() {
        InetSocketAddress client = new InetSocketAddress("198.51.100.7", 40000);
        ByteBuf wrongCookie = bindingRequest(TRANSACTION_ID);
        wrongCookie.setInt(4, 0x12345678);
        ByteBuf bindingResponse = bindingRequest(TRANSACTION_ID);
        bindingResponse.setShort(0, 0x0101);
        ByteBuf lyingLength = bindingRequest(TRANSACTION_ID);
        lyingLength.setShort(2, 8);
        ByteBuf tooShort = Unpooled.wrappedBuffer(new byte[10]);
        ByteBuf notStun = Unpooled.wrappedBuffer("GET / HTTP/1.1\r\n\r\n".getBytes());

        for (ByteBuf junk : new ByteBuf[]{wrongCookie, bindingResponse, lyingLength, tooShort, notStun}) {
            channel.writeInbound(new DatagramPacket(junk, server, client));
        }

        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    static ByteBuf bindingRequest(byte[] transactionId) {
        ByteBuf request = Unpooled.buffer(20);
        request.writeShort(0x0001).writeShort(0).writeInt(StunMessages.MAGIC_COOKIE).writeBytes(transactionId);
        return request;
    }
}

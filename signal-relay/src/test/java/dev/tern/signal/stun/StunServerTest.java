package dev.tern.signal.stun;

import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/** A plain Java UDP client asks the real server, over loopback, what its address is. */
class StunServerTest {

    @Test
    void bindingOverLoopbackReportsTheClientsOwnPort() throws Exception {
        try (StunServer server = new StunServer(0).start();
             DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(5000);
            byte[] transactionId = "tern-stun-01".getBytes();
            ByteBuffer request = ByteBuffer.allocate(20).putShort((short) 1).putShort((short) 0)
                    .putInt(StunMessages.MAGIC_COOKIE).put(transactionId);
            client.send(new DatagramPacket(request.array(), 20, InetAddress.getLoopbackAddress(), server.port()));

            DatagramPacket reply = new DatagramPacket(new byte[512], 512);
            client.receive(reply);

            ByteBuffer in = ByteBuffer.wrap(reply.getData(), 0, reply.getLength());
            assertThat(in.getShort() & 0xffff).isEqualTo(0x0101);
            in.getShort();
            assertThat(in.getInt()).isEqualTo(StunMessages.MAGIC_COOKIE);
            byte[] echoedId = new byte[12];
            in.get(echoedId);
            assertThat(echoedId).isEqualTo(transactionId);
            assertThat(in.getShort() & 0xffff).isEqualTo(0x0020);
            in.getShort();
            in.get();
            assertThat(in.get()).isEqualTo((byte) 1);
            int port = (in.getShort() & 0xffff) ^ 0x2112;
            byte[] address = new byte[4];
            int cookie = StunMessages.MAGIC_COOKIE;
            for (int i = 0; i < 4; i++) {
                address[i] = (byte) (in.get() ^ (cookie >>> (24 - 8 * i)));
            }
            assertThat(port).isEqualTo(client.getLocalPort());
            assertThat(InetAddress.getByAddress(address)).isEqualTo(InetAddress.getLoopbackAddress());
        }
    }
}

package dev.tern.agent.ice;

import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What every link of an agent shares: the controlling rule, the STUN servers, server-reflexive candidates. */
class IceLinksTest {
    @Test
    void theSideWithTheHigherKeyControlsSoExactlyOneSideNominates() {
        String low = "AAAAtestkey=";
        String high = "zzzztestkey=";

        assertThat(IceLinks.controlling(high, low)).isTrue();
        assertThat(IceLinks.controlling(low, high)).isFalse();
    }

    @Test
    void stunUrlsFromTheManagementServerBecomeAddresses() {
        assertThat(IceLinks.stunServer("stun:127.0.0.1:3479")).contains(new InetSocketAddress("127.0.0.1", 3479));
        assertThat(IceLinks.stunServer("stun:127.0.0.1")).contains(new InetSocketAddress("127.0.0.1", 3478));
        assertThat(IceLinks.stunServer("stun:127.0.0.1:3479?transport=udp"))
                .contains(new InetSocketAddress("127.0.0.1", 3479));
        assertThat(IceLinks.stunServer("turn:127.0.0.1:3478")).isEmpty();
        assertThat(IceLinks.stunServer("stun:127.0.0.1:port")).isEmpty();
        assertThat(IceLinks.stunServer("stun:127.0.0.1:70000")).isEmpty();
        assertThat(IceLinks.stunServer("stun:")).isEmpty();
        assertThat(IceLinks.stunServer(null)).isEmpty();
    }

    /**
     * A STUN server that sees us behind a NAT (it answers every binding request with one public address): the
     * session's candidates include that address as server-reflexive, which is what lets two NAT'ed peers meet.
     */
    @Test
    void aStunServerAddsOurAddressAsItSeesItAsAServerReflexiveCandidate() throws Exception {
        InetSocketAddress natPublic = new InetSocketAddress("203.0.113.9", 40001);
        try (NattingStunServer stun = new NattingStunServer(natPublic);
             IceSession session = new IceSession(true, List.of(stun.address()))) {
            assertThat(session.localCandidates()).filteredOn(c -> c.type().equals("srflx")).isNotEmpty()
                    .allSatisfy(c -> {
                        assertThat(c.address()).isEqualTo("203.0.113.9");
                        assertThat(c.port()).isEqualTo(40001);
                    });
            assertThat(stun.requests).isPositive();
        }
    }

    /**
     * STUN servers that answer nothing (UDP to them blocked) would make every link wait for them: after one link
     * waited in vain, the next ones do not ask them.
     */
    @Test
    void afterAStunServerLeftALinkWaitingTheNextLinksDoNotAskIt() throws Exception {
        InetSocketAddress anyLoopbackPort = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (DatagramSocket silentStun = new DatagramSocket(anyLoopbackPort)) {
            silentStun.setSoTimeout(200);
            InetSocketAddress stun = new InetSocketAddress(InetAddress.getLoopbackAddress(), silentStun.getLocalPort());
            IceLinks links = new IceLinks("bKey=", 51820, () -> null, "tern-test", () -> List.of(stun));
            IcePeer.Listener ignore = new IcePeer.Listener() {
                @Override
                public void send(dev.tern.protocol.signal.Body body) {
                }

                @Override
                public void onDirect(String endpoint) {
                }

                @Override
                public void onFailed(String why) {
                }
            };
            links.open("aKey=", ignore).close(); // closed: it retransmits nothing later
            assertThat(received(silentStun)).as("the first link asks the STUN server").isPositive();

            links.open("cKey=", ignore).close();
            assertThat(received(silentStun)).as("the next one does not").isZero();
        }
    }

    /** How many datagrams arrive at {@code socket} until it stays silent for its timeout. */
    private static int received(DatagramSocket socket) throws java.io.IOException {
        int count = 0;
        DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
        while (true) {
            try {
                socket.receive(packet);
                count++;
            } catch (java.net.SocketTimeoutException e) {
                return count;
            }
        }
    }

    @Test
    void withoutStunServersTheCandidatesAreHostCandidatesOnly() throws Exception {
        try (IceSession session = new IceSession(true, List.of())) {
            assertThat(session.localCandidates()).isNotEmpty().allSatisfy(c -> {
                assertThat(c.type()).isEqualTo("host");
                assertThat(InetAddress.getByName(c.address()).isLoopbackAddress()).isFalse();
            });
        }
    }

    /** Answers STUN binding requests on loopback with a fixed XOR-MAPPED-ADDRESS, as if behind a NAT. */
    private static final class NattingStunServer implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread thread;
        volatile int requests;

        NattingStunServer(InetSocketAddress mapped) throws SocketException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(() -> serve(mapped), "natting-stun");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        }

        private void serve(InetSocketAddress mapped) {
            byte[] buffer = new byte[1500];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            while (!socket.isClosed()) {
                try {
                    packet.setLength(buffer.length);
                    socket.receive(packet);
                    if (packet.getLength() < 20 || buffer[0] != 0 || buffer[1] != 1) {
                        continue; // not a binding request
                    }
                    requests++;
                    byte[] response = bindingSuccess(Arrays.copyOfRange(buffer, 8, 20), mapped);
                    socket.send(new DatagramPacket(response, response.length, packet.getSocketAddress()));
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }

        private static byte[] bindingSuccess(byte[] transactionId, InetSocketAddress mapped) {
            int cookie = 0x2112A442;
            ByteBuffer out = ByteBuffer.allocate(32);
            out.putShort((short) 0x0101).putShort((short) 12).putInt(cookie).put(transactionId);
            out.putShort((short) 0x0020).putShort((short) 8).put((byte) 0).put((byte) 1);
            out.putShort((short) (mapped.getPort() ^ (cookie >>> 16)));
            out.putInt(ByteBuffer.wrap(mapped.getAddress().getAddress()).getInt() ^ cookie);
            return out.array();
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(2000);
        }
    }
}

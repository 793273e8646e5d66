package dev.tern.agent.relay;

import dev.tern.protocol.relay.PeerId;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A relayed link on real loopback UDP: a socket stands in for WireGuard, a queue for the relay. */
class RelayProxyTest {
    private static final PeerId REMOTE = PeerId.ofPublicKey("remote-key=");

    @Test
    void packetsFromWireGuardGoToTheRelayAndRelayedPacketsGoToWireGuard() throws Exception {
        RecordingRelay relay = new RecordingRelay();
        try (DatagramSocket wireGuard = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             RelayProxy proxy = new RelayProxy(REMOTE, relay, wireGuard.getLocalPort())) {
            assertThat(proxy.endpoint()).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:0");
            String[] hostPort = proxy.endpoint().split(":");
            InetSocketAddress proxyAddress = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));

            byte[] handshake = {1, 0, 0, 0, 42, 43, 44};
            wireGuard.send(new DatagramPacket(handshake, handshake.length, proxyAddress));
            RecordingRelay.Sent sent = relay.sent.poll(5, TimeUnit.SECONDS);
            assertThat(sent).isNotNull();
            assertThat(sent.to()).isEqualTo(REMOTE);
            assertThat(sent.payload()).containsExactly(handshake);

            byte[] response = {2, 0, 0, 0, 7};
            proxy.deliver(response);
            wireGuard.setSoTimeout(5000);
            DatagramPacket received = new DatagramPacket(new byte[100], 100);
            wireGuard.receive(received);
            assertThat(Arrays.copyOf(received.getData(), received.getLength())).containsExactly(response);
            // WireGuard learns the peer at the proxy's address: that is where its replies must go.
            assertThat(received.getSocketAddress()).isEqualTo(proxyAddress);
        }
    }

    @Test
    void datagramsFromOtherLocalSocketsAreNotRelayed() throws Exception {
        RecordingRelay relay = new RecordingRelay();
        try (DatagramSocket wireGuard = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             RelayProxy proxy = new RelayProxy(REMOTE, relay, wireGuard.getLocalPort())) {
            String[] hostPort = proxy.endpoint().split(":");
            InetSocketAddress proxyAddress = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
            stranger.send(new DatagramPacket(new byte[]{9}, 1, proxyAddress));
            wireGuard.send(new DatagramPacket(new byte[]{1}, 1, proxyAddress));

            RecordingRelay.Sent first = relay.sent.poll(5, TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.payload()).containsExactly(1);
            assertThat(relay.sent.poll(200, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    @Test
    void closingReleasesThePort() throws Exception {
        RelayProxy proxy = new RelayProxy(REMOTE, new RecordingRelay(), 51820);
        int port = Integer.parseInt(proxy.endpoint().split(":")[1]);
        proxy.close();
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }
}

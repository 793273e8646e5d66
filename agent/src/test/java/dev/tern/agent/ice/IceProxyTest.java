package dev.tern.agent.ice;

import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two peers' WireGuard (plain loopback sockets standing in for wireguard-go) talk through their ICE proxies over
 * the pair two ice4j sessions selected: each WireGuard sends to its proxy and hears the other from its proxy.
 */
public class IceProxyTest {
    @Test
    void wireGuardDatagramsCrossTheSelectedPairBothWays() throws Exception {
        try (DatagramSocket wgA = loopbackSocket(); DatagramSocket wgB = loopbackSocket();
             IceSession a = new IceSession(true); IceSession b = new IceSession(false)) {
            a.localCandidates().forEach(b::addRemoteCandidate);
            b.localCandidates().forEach(a::addRemoteCandidate);
            a.start(b.localCredentials());
            b.start(a.localCredentials());
            a.awaitSelected(Duration.ofSeconds(20));
            b.awaitSelected(Duration.ofSeconds(20));

            try (IceProxy proxyA = new IceProxy(a, wgA.getLocalPort());
                 IceProxy proxyB = new IceProxy(b, wgB.getLocalPort())) {
                assertThat(proxyA.endpoint()).startsWith("127.0.0.1:");
                byte[] initiation = {1, 0, 0, 0, 11, 12, 13};
                byte[] response = {2, 0, 0, 0, 21, 22};

                DatagramPacket got = sendUntilReceived(wgA, proxyA, initiation, wgB);
                assertThat(Arrays.copyOf(got.getData(), got.getLength())).containsExactly(initiation);
                assertThat(got.getSocketAddress()).as("B's WireGuard hears A at B's proxy")
                        .isEqualTo(address(proxyB));

                got = sendUntilReceived(wgB, proxyB, response, wgA);
                assertThat(Arrays.copyOf(got.getData(), got.getLength())).containsExactly(response);
                assertThat(got.getSocketAddress()).isEqualTo(address(proxyA));
            }
        }
    }

    @Test
    void aProxyNeedsASelectedPair() throws Exception {
        try (IceSession session = new IceSession(true)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new IceProxy(session, 51820))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    private static DatagramPacket sendUntilReceived(DatagramSocket from, IceProxy via, byte[] data,
                                                   DatagramSocket to) throws Exception {
        return sendUntilReceived(from, via.endpoint(), data, to);
    }

    /** Sends {@code data} from {@code from} to the proxy endpoint {@code via} until {@code to} receives it. */
    public static DatagramPacket sendUntilReceived(DatagramSocket from, String via, byte[] data, DatagramSocket to)
            throws Exception {
        to.setSoTimeout(2000);
        // the controlled side may learn of the nomination a moment after the controlling one: retry a few times
        for (int attempt = 0; attempt < 5; attempt++) {
            from.send(new DatagramPacket(data, data.length, address(via)));
            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            try {
                to.receive(packet);
                return packet;
            } catch (java.net.SocketTimeoutException e) {
                // send again
            }
        }
        throw new AssertionError("nothing crossed the ICE path");
    }

    private static InetSocketAddress address(IceProxy proxy) {
        return address(proxy.endpoint());
    }

    static InetSocketAddress address(String endpoint) {
        String[] hostPort = endpoint.split(":");
        return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    public static DatagramSocket loopbackSocket() throws Exception {
        return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }
}

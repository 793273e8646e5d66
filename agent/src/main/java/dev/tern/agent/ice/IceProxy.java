package dev.tern.agent.ice;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * Carries WireGuard over the pair ICE selected with one peer. wireguard-go owns its UDP port and ice4j owns the
 * ICE socket, so this proxy sits between them: a socket on 127.0.0.1 is WireGuard's endpoint for the peer; what
 * WireGuard sends there leaves the ICE socket for the peer's selected candidate, and what the peer sends to the
 * ICE socket (ice4j keeps its consent checks for itself) goes to our WireGuard port from this socket. The peer sees
 * our traffic come from the candidate it checked, which is where NetBird's client points its WireGuard endpoint
 * (its userspace bind answers from the same port its ICE ran on).
 */
public final class IceProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IceProxy.class);
    /** Larger than any WireGuard packet (MTU 1420 plus headers). */
    private static final int MAX_DATAGRAM = 65_535;
    private static final int RECEIVE_POLL_MILLIS = 500;

    private final IceSession session;
    private final SocketAddress remote;
    private final InetSocketAddress wireGuard;
    private final DatagramSocket loopback;
    private final Thread fromWireGuard;
    private final Thread fromPeer;

    /** Starts forwarding; the session must have selected its pair. */
    public IceProxy(IceSession session, int wgListenPort) throws IOException {
        IceSession.SelectedPath path = session.selected().getNow(null);
        if (path == null) {
            throw new IllegalStateException("ICE has not selected a pair yet");
        }
        this.session = session;
        this.remote = path.remote();
        this.wireGuard = new InetSocketAddress(InetAddress.getLoopbackAddress(), wgListenPort);
        this.loopback = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.fromWireGuard = new Thread(this::forwardToPeer, "tern-ice-proxy-wg-" + loopback.getLocalPort());
        this.fromPeer = new Thread(this::forwardToWireGuard, "tern-ice-proxy-peer-" + loopback.getLocalPort());
        fromWireGuard.setDaemon(true);
        fromPeer.setDaemon(true);
        fromWireGuard.start();
        fromPeer.start();
    }

    /** The address WireGuard uses as the peer's endpoint, as {@code 127.0.0.1:port}. */
    public String endpoint() {
        return loopback.getLocalAddress().getHostAddress() + ":" + loopback.getLocalPort();
    }

    private void forwardToPeer() {
        byte[] buffer = new byte[MAX_DATAGRAM];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!loopback.isClosed()) {
            try {
                packet.setLength(buffer.length);
                loopback.receive(packet);
                // only our own WireGuard may use the path; anything else on loopback is not forwarded
                if (packet.getPort() == wireGuard.getPort()) {
                    session.send(buffer, 0, packet.getLength());
                }
            } catch (IOException e) {
                if (!loopback.isClosed()) {
                    LOG.warn("ICE path to {} stopped forwarding from WireGuard: {}", remote, e.getMessage());
                }
                return;
            }
        }
    }

    private void forwardToWireGuard() {
        DatagramSocket ice = session.socket();
        try {
            ice.setSoTimeout(RECEIVE_POLL_MILLIS);
        } catch (SocketException e) {
            LOG.warn("ICE path to {}: {}", remote, e.getMessage());
            return;
        }
        byte[] buffer = new byte[MAX_DATAGRAM];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!loopback.isClosed()) {
            try {
                packet.setLength(buffer.length);
                try {
                    ice.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue; // look at loopback.isClosed() again: close() leaves the ICE socket open
                }
                // the ICE socket is bound on all host candidates: only the selected peer's packets are WireGuard's
                if (remote.equals(packet.getSocketAddress())) {
                    loopback.send(new DatagramPacket(buffer, 0, packet.getLength(), wireGuard));
                }
            } catch (IOException e) {
                if (!loopback.isClosed()) {
                    LOG.warn("ICE path to {} stopped forwarding to WireGuard: {}", remote, e.getMessage());
                }
                return;
            }
        }
    }

    /** Stops forwarding and frees the loopback port; the ICE session stays the caller's to close. */
    @Override
    public void close() {
        loopback.close();
        try {
            for (Thread thread : new Thread[] {fromWireGuard, fromPeer}) {
                if (Thread.currentThread() != thread) {
                    thread.join(2 * RECEIVE_POLL_MILLIS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.tern.agent.relay;

import dev.tern.protocol.relay.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * The local end of a relayed link to one remote peer: a UDP socket on 127.0.0.1 that WireGuard uses as that peer's
 * endpoint. What WireGuard sends here goes to the relay addressed to the peer; what the peer sends us through the
 * relay leaves this socket for our WireGuard port, so WireGuard sees the peer at this address.
 */
public final class RelayProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayProxy.class);
    /** Larger than any WireGuard packet (MTU 1420 plus headers). */
    private static final int MAX_DATAGRAM = 65_535;

    private final PeerId remote;
    private final RelayTransport relay;
    private final InetSocketAddress wireGuard;
    private final DatagramSocket socket;
    private final Thread reader;

    public RelayProxy(PeerId remote, RelayTransport relay, int wgListenPort) {
        this.remote = remote;
        this.relay = relay;
        this.wireGuard = new InetSocketAddress(InetAddress.getLoopbackAddress(), wgListenPort);
        try {
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot open a loopback UDP socket for a relayed link", e);
        }
        this.reader = new Thread(this::forwardToRelay, "tern-relay-proxy-" + socket.getLocalPort());
        reader.setDaemon(true);
        reader.start();
    }

    /** The address WireGuard uses as the peer's endpoint, as {@code 127.0.0.1:port}. */
    public String endpoint() {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    PeerId remote() {
        return remote;
    }

    /** A packet the remote peer sent us through the relay: hand it to our WireGuard. */
    public void deliver(byte[] payload) {
        try {
            socket.send(new DatagramPacket(payload, payload.length, wireGuard));
        } catch (IOException e) {
            if (!socket.isClosed()) {
                LOG.debug("cannot hand a relayed packet to WireGuard: {}", e.getMessage());
            }
        }
    }

    private void forwardToRelay() {
        byte[] buffer = new byte[MAX_DATAGRAM];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (!socket.isClosed()) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.warn("relayed link to {} stopped reading: {}", remote, e.getMessage());
                }
                return;
            }
            // Only our own WireGuard may use the link; anything else on loopback is not forwarded.
            if (packet.getPort() != wireGuard.getPort()) {
                continue;
            }
            byte[] payload = new byte[packet.getLength()];
            System.arraycopy(buffer, packet.getOffset(), payload, 0, payload.length);
            relay.send(remote, payload);
        }
    }

    /**
     * Closes the socket and waits (briefly) for the reader to leave its receive: the JDK releases a socket's port
     * only once no thread is blocked in it, so after this returns the port is free.
     */
    @Override
    public void close() {
        socket.close();
        if (Thread.currentThread() != reader) {
            try {
                reader.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

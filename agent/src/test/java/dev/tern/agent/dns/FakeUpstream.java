package dev.tern.agent.dns;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A DNS server on UDP (loopback unless told otherwise) standing for an upstream: answers A questions for the names it was given (NXDOMAIN
 * for others), or none at all when {@code silent}; records every question it saw.
 */
public final class FakeUpstream implements AutoCloseable {
    public final List<Name> questions = new CopyOnWriteArrayList<>();
    private final Map<Name, InetAddress> answers = new ConcurrentHashMap<>();
    private final DatagramSocket socket;
    private final boolean silent;

    FakeUpstream(boolean silent) throws IOException {
        this(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), silent);
    }

    public FakeUpstream(InetSocketAddress bind, boolean silent) throws IOException {
        this.silent = silent;
        this.socket = new DatagramSocket(bind);
        Thread thread = new Thread(this::serve, "fake-upstream");
        thread.setDaemon(true);
        thread.start();
    }

    public FakeUpstream answering(String name, String ip) throws IOException {
        answers.put(Name.fromString(name), InetAddress.getByName(ip));
        return this;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                questions.add(query.getQuestion().getName());
                if (silent) {
                    continue;
                }
                Message reply = new Message(query.getHeader().getID());
                reply.getHeader().setFlag(Flags.QR);
                reply.addRecord(query.getQuestion(), Section.QUESTION);
                InetAddress ip = answers.get(query.getQuestion().getName());
                if (ip == null) {
                    reply.getHeader().setRcode(Rcode.NXDOMAIN);
                } else {
                    reply.addRecord(new ARecord(query.getQuestion().getName(), query.getQuestion().getDClass(), 60, ip),
                            Section.ANSWER);
                }
                byte[] wire = reply.toWire();
                socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a packet that is no DNS message
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}

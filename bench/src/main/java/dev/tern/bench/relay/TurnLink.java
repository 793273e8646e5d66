package dev.tern.bench.relay;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One end of a session through coturn, the way a TURN client relays: TCP to the server, one UDP allocation,
 * a channel bound to the other end's relayed address, packets as ChannelData (RFC 8656) — so coturn carries
 * exactly the load the relay and the raw forwarder carry, from the same load code. coturn runs with
 * {@code --no-auth}, which leaves out the long-term-credential round trip and nothing of the data path.
 */
final class TurnLink implements Link {
    private static final int MAGIC = 0x2112A442;
    private static final int CHANNEL = 0x4000;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final InetSocketAddress relayed;

    private TurnLink(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        byte[] answer = request(0x0003, attribute(0x0019, ByteBuffer.allocate(4).putInt(17 << 24).array()));
        this.relayed = xorAddress(answer, 0x0016);
    }

    static Link.Factory factory(InetSocketAddress server) {
        return new Link.Factory() {
            @Override
            public Link[] pair(int index) throws IOException {
                TurnLink a = open(server);
                TurnLink b = open(server);
                a.bind(b.relayed);
                b.bind(a.relayed);
                return new Link[]{a, b};
            }

            @Override
            public AutoCloseable idle(int index) throws IOException {
                return open(server);
            }
        };
    }

    private static TurnLink open(InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(server, 10_000);
        socket.setSoTimeout(30_000);
        try {
            return new TurnLink(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** ChannelBind: the peer's relayed address on channel 0x4000 (it installs the permission too). */
    private void bind(InetSocketAddress peer) throws IOException {
        request(0x0009, concat(attribute(0x000C, ByteBuffer.allocate(4).putShort((short) CHANNEL).putShort((short) 0)
                .array()), attribute(0x0012, xorAddressValue(peer))));
    }

    /** Sends a request and returns the body of its success response (attributes). */
    private byte[] request(int type, byte[] attributes) throws IOException {
        byte[] transaction = new byte[12];
        ThreadLocalRandom.current().nextBytes(transaction);
        out.write(ByteBuffer.allocate(20 + attributes.length).putShort((short) type)
                .putShort((short) attributes.length).putInt(MAGIC).put(transaction).put(attributes).array());
        out.flush();
        int answerType = in.readUnsignedShort();
        int length = in.readUnsignedShort();
        in.skipNBytes(16);
        byte[] body = in.readNBytes(length);
        if (answerType != (type | 0x0100)) {
            throw new IOException(String.format("coturn refused request 0x%04x (answer 0x%04x)", type, answerType));
        }
        return body;
    }

    @Override
    public synchronized void write(byte[] packet) throws IOException {
        out.write(CHANNEL >>> 8);
        out.write(CHANNEL & 0xff);
        out.write(packet.length >>> 8);
        out.write(packet.length);
        out.write(packet);
        out.write(new byte[(4 - packet.length % 4) % 4]); // ChannelData over TCP is padded to 4 bytes
    }

    @Override
    public synchronized void flush() throws IOException {
        out.flush();
    }

    @Override
    public int read() throws IOException {
        while (true) {
            int first = in.readUnsignedShort();
            int length = in.readUnsignedShort();
            if ((first & 0xC000) == 0x4000) {
                in.skipNBytes(length + (4 - length % 4) % 4);
                return length;
            }
            in.skipNBytes(16 + length); // a STUN message (e.g. a late response): not data
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static byte[] attribute(int type, byte[] value) {
        int padded = (value.length + 3) & ~3;
        return ByteBuffer.allocate(4 + padded).putShort((short) type).putShort((short) value.length).put(value)
                .array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }

    private static byte[] xorAddressValue(InetSocketAddress address) {
        byte[] ip = address.getAddress().getAddress();
        return ByteBuffer.allocate(8).put((byte) 0).put((byte) 1).putShort((short) (address.getPort() ^ (MAGIC >>> 16)))
                .putInt(ByteBuffer.wrap(ip).getInt() ^ MAGIC).array();
    }

    private static InetSocketAddress xorAddress(byte[] attributes, int wanted) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(attributes);
        while (buffer.remaining() >= 4) {
            int type = buffer.getShort() & 0xffff;
            int length = buffer.getShort() & 0xffff;
            if (type == wanted && length >= 8) {
                buffer.get();
                buffer.get();
                int port = (buffer.getShort() & 0xffff) ^ (MAGIC >>> 16);
                int ip = buffer.getInt() ^ MAGIC;
                return new InetSocketAddress(InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(ip).array()), port);
            }
            buffer.position(buffer.position() + ((length + 3) & ~3));
        }
        throw new IOException(String.format("coturn's answer has no attribute 0x%04x", wanted));
    }
}

package dev.tern.bench.relay;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One idle TURN session on coturn (started with {@code --no-auth}): a TCP connection holding one UDP
 * allocation, what a relayed peer holds there — the counterpart of one authenticated relay session in Tern.
 */
final class TurnAllocation implements AutoCloseable {
    private final Socket socket;

    private TurnAllocation(Socket socket) {
        this.socket = socket;
    }

    static TurnAllocation open(InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        socket.connect(server, 10_000);
        socket.setSoTimeout(30_000);
        ByteBuffer request = ByteBuffer.allocate(28);
        byte[] transaction = new byte[12];
        ThreadLocalRandom.current().nextBytes(transaction);
        // Allocate request with REQUESTED-TRANSPORT = UDP (17).
        request.putShort((short) 0x0003).putShort((short) 8).putInt(0x2112A442).put(transaction)
                .putShort((short) 0x0019).putShort((short) 4).putInt(17 << 24);
        socket.getOutputStream().write(request.array());
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int type = in.readUnsignedShort();
        int length = in.readUnsignedShort();
        in.skipNBytes(16 + length);
        if (type != 0x0103) {
            socket.close();
            throw new IOException(String.format("coturn refused the allocation (STUN message type 0x%04x)", type));
        }
        return new TurnAllocation(socket);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package dev.tern.bench.relay;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A blocking WebSocket client of the bare minimum the relay protocol needs (binary messages, close), so that
 * 10,000 idle sessions cost the load process one socket each and no thread, and a pair's throughput is measured
 * with one writer and one reader thread instead of a framework's scheduling. Client frames carry the all-zero
 * mask key: legal, and the payload then goes out unchanged without a copy.
 */
final class MiniWebSocket implements AutoCloseable {
    private static final byte[] ZERO_MASK = new byte[4];
    private static final byte[] EMPTY = new byte[0];

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private MiniWebSocket(Socket socket, DataInputStream in, OutputStream out) {
        this.socket = socket;
        this.in = in;
        this.out = out;
    }

    static MiniWebSocket connect(InetSocketAddress address, String path) throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, 10_000);
        socket.setSoTimeout(30_000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
        String status = readHeaders(in);
        if (!status.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("WebSocket upgrade refused: " + status);
        }
        return new MiniWebSocket(socket, in, out);
    }

    /** The status line; the other header lines are skipped. */
    private static String readHeaders(DataInputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        String status = null;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed during the WebSocket upgrade");
            }
            if (c == '\n') {
                String text = line.toString().trim();
                if (text.isEmpty()) {
                    return status == null ? "" : status;
                }
                if (status == null) {
                    status = text;
                }
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
    }

    /** Queues one binary message; {@link #flush()} sends what is queued. */
    synchronized void write(byte[] message) throws IOException {
        write(message, EMPTY);
    }

    /**
     * Queues one binary message made of {@code head} then {@code tail}, without joining them first: the load code
     * then costs per packet what the raw forwarder's and coturn's links cost (no allocation, no extra copy).
     */
    synchronized void write(byte[] head, byte[] tail) throws IOException {
        out.write(0x82);
        int length = head.length + tail.length;
        if (length < 126) {
            out.write(0x80 | length);
        } else if (length < 65_536) {
            out.write(0x80 | 126);
            out.write(length >>> 8);
            out.write(length);
        } else {
            throw new IOException("message too large for this client: " + length);
        }
        out.write(ZERO_MASK);
        out.write(head);
        out.write(tail);
    }

    synchronized void send(byte[] message) throws IOException {
        write(message);
        flush();
    }

    synchronized void flush() throws IOException {
        out.flush();
    }

    /** The next binary message; answers pings, throws EOFException at a close frame or the end of the stream. */
    byte[] read() throws IOException {
        byte[] buffer = new byte[16_384]; // a relay message is at most 8,820 bytes
        int length = read(buffer);
        return Arrays.copyOf(buffer, length);
    }

    /**
     * The next binary message into {@code buffer} (the server's messages are never larger), returning its length;
     * answers pings, throws EOFException at a close frame or the end of the stream. No allocation per message, like
     * the other links' reads.
     */
    int read(byte[] buffer) throws IOException {
        while (true) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if (length > buffer.length) {
                throw new IOException("message of " + length + " bytes is larger than this client reads");
            }
            byte[] mask = null;
            if ((second & 0x80) != 0) {
                mask = new byte[4];
                in.readFully(mask);
            }
            int size = (int) length;
            in.readFully(buffer, 0, size);
            if (mask != null) {
                for (int i = 0; i < size; i++) {
                    buffer[i] ^= mask[i & 3];
                }
            }
            int opcode = first & 0x0f;
            if (opcode == 0x8) {
                throw new EOFException("WebSocket closed by the server");
            }
            if (opcode == 0x9) {
                synchronized (this) {
                    out.write(0x8a);
                    out.write(0x80 | size);
                    out.write(ZERO_MASK);
                    out.write(buffer, 0, size);
                    out.flush();
                }
                continue;
            }
            if (opcode == 0x2 || opcode == 0x0) {
                return size;
            }
        }
    }

    void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

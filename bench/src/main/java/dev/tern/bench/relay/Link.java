package dev.tern.bench.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayTokens;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;

/**
 * One end of a session through the thing under test, carrying packets of a fixed size to the other end: through
 * Tern's relay (NetBird's relay protocol over WebSocket) or through the raw TCP forwarder (length-prefixed).
 */
interface Link extends AutoCloseable {
    /** Queues one packet to the other end. */
    void write(byte[] packet) throws IOException;

    void flush() throws IOException;

    /** Blocks for the next packet from the other end; returns its length. */
    int read() throws IOException;

    @Override
    void close() throws IOException;

    /** A session of two ends; {@code index} makes its ids unique. */
    interface Factory {
        Link[] pair(int index) throws IOException;

        /** One end alone, authenticated or paired-in as far as the server is concerned, for idle-memory counts. */
        AutoCloseable idle(int index) throws IOException;
    }

    /** Tern's relay: {@code ws://host:port/relay}, Auth with a token made from the shared secret. */
    final class Relay implements Link {
        private final MiniWebSocket ws;
        private final byte[] header;
        /** Reused for every message read: one reader thread per link. */
        private final byte[] received = new byte[65_536];

        private Relay(MiniWebSocket ws, PeerId remote) {
            this.ws = ws;
            byte[] encoded = RelayFrameCodec.encode(new RelayFrame.Transport(remote, new byte[0]));
            this.header = encoded;
        }

        static MiniWebSocket authenticated(InetSocketAddress address, RelayTokens tokens, PeerId self)
                throws IOException {
            MiniWebSocket ws = MiniWebSocket.connect(address, "/relay");
            ws.send(RelayFrameCodec.encode(new RelayFrame.Auth(self, tokens.issue(Duration.ofHours(1), self)
                    .marshal())));
            byte[] answer = ws.read();
            if (!(RelayFrameCodec.decode(answer) instanceof RelayFrame.AuthResponse)) {
                ws.close();
                throw new IOException("relay refused the authentication");
            }
            return ws;
        }

        static Factory factory(InetSocketAddress address, RelayTokens tokens, String run) {
            return new Factory() {
                @Override
                public Link[] pair(int index) throws IOException {
                    PeerId a = PeerId.ofPublicKey(run + "-a-" + index + "=");
                    PeerId b = PeerId.ofPublicKey(run + "-b-" + index + "=");
                    return new Link[]{new Relay(authenticated(address, tokens, a), b),
                            new Relay(authenticated(address, tokens, b), a)};
                }

                @Override
                public AutoCloseable idle(int index) throws IOException {
                    return authenticated(address, tokens, PeerId.ofPublicKey(run + "-idle-" + index + "="));
                }
            };
        }

        @Override
        public void write(byte[] packet) throws IOException {
            ws.write(header, packet);
        }

        @Override
        public void flush() throws IOException {
            ws.flush();
        }

        @Override
        public int read() throws IOException {
            while (true) {
                int length = ws.read(received);
                switch (length < 2 ? -1 : received[1]) {
                    case 3 -> {
                        return length - header.length;
                    }
                    case 4 -> throw new EOFException("relay closed the session");
                    case 5 -> ws.send(Arrays.copyOf(received, length)); // HealthCheck: echoed, or the relay drops the session
                    default -> {
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            ws.close();
        }
    }

    /** The raw forwarder: a 16-byte pairing name, then 2-byte length-prefixed packets. */
    final class Raw implements Link {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        private Raw(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        }

        static Raw connect(InetSocketAddress address, String pairing) throws IOException {
            Socket socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 10_000);
            socket.setSoTimeout(30_000);
            Raw raw = new Raw(socket);
            raw.out.write(RawTcpForwarder.pairingName(pairing));
            raw.out.flush();
            return raw;
        }

        /** Two ends of one direct loopback connection: the latency with nothing in between. */
        static Link[] direct() throws IOException {
            try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1,
                    java.net.InetAddress.getLoopbackAddress())) {
                Socket client = new Socket();
                client.setTcpNoDelay(true);
                client.connect(server.getLocalSocketAddress(), 10_000);
                Socket accepted = server.accept();
                accepted.setTcpNoDelay(true);
                return new Link[]{new Raw(client), new Raw(accepted)};
            }
        }

        static Factory factory(InetSocketAddress address, String run) {
            return new Factory() {
                @Override
                public Link[] pair(int index) throws IOException {
                    String name = run + "p" + index;
                    return new Link[]{connect(address, name), connect(address, name)};
                }

                @Override
                public AutoCloseable idle(int index) throws IOException {
                    // Pairs of idle connections, so the forwarder holds what a session costs it.
                    return connect(address, run + "i" + (index / 2));
                }
            };
        }

        @Override
        public synchronized void write(byte[] packet) throws IOException {
            out.write(packet.length >>> 8);
            out.write(packet.length);
            out.write(packet);
        }

        @Override
        public synchronized void flush() throws IOException {
            out.flush();
        }

        @Override
        public int read() throws IOException {
            int length = in.readUnsignedShort();
            in.skipNBytes(length);
            return length;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

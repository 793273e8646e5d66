package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayTokens;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** The least of a WebSocket client that blocks: upgrade, masked binary frames out, unmasked frames in. */
final class BlockingRelayClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private BlockingRelayClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    static BlockingRelayClient authenticated(InetSocketAddress address, RelayTokens tokens, PeerId self)
            throws IOException {
        return authenticated(address, null, tokens, self);
    }

    /** As above, over TLS verified with {@code tls} when it is not null. */
    static BlockingRelayClient authenticated(InetSocketAddress address, SSLContext tls, RelayTokens tokens, PeerId self)
            throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(5_000);
        if (tls != null) {
            SSLSocket secured = (SSLSocket) tls.getSocketFactory().createSocket(socket, "localhost", address.getPort(), true);
            secured.startHandshake();
            socket = secured;
        }
        BlockingRelayClient client = new BlockingRelayClient(socket);
        client.out.write(("GET /relay HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        client.out.flush();
        int endOfHeaders = 0;
        while (endOfHeaders < 4) { // \r\n\r\n
            int c = client.in.read();
            endOfHeaders = (c == '\r' || c == '\n') ? endOfHeaders + 1 : 0;
            if (c < 0) {
                throw new IOException("relay closed during the upgrade");
            }
        }
        client.write(RelayFrameCodec.encode(new RelayFrame.Auth(self,
                tokens.issue(Duration.ofMinutes(1), self).marshal())));
        client.flush();
        assertThat(RelayFrameCodec.decode(client.read())).isInstanceOf(RelayFrame.AuthResponse.class);
        return client;
    }

    /** A binary frame with the all-zero mask key, so the payload goes out as it is. */
    synchronized void write(byte[] message) throws IOException {
        out.write(0x82);
        if (message.length < 126) {
            out.write(0x80 | message.length);
        } else {
            out.write(0x80 | 126);
            out.write(message.length >>> 8);
            out.write(message.length);
        }
        out.write(new byte[4]);
        out.write(message);
    }

    synchronized void flush() throws IOException {
        out.flush();
    }

    /** Writes and flushes; safe beside another thread's writes (e.g. answering health checks while sending). */
    synchronized void send(byte[] message) throws IOException {
        write(message);
        flush();
    }

    byte[] read() throws IOException {
        in.readUnsignedByte(); // FIN and opcode: the relay sends whole binary messages
        int length = in.readUnsignedByte() & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

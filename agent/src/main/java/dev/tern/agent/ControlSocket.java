package dev.tern.agent;

import dev.tern.agent.common.AgentException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Function;

/**
 * The daemon's local control socket in the config dir (mode 0600): one line in ({@code status} or {@code down}),
 * one reply out. Local root only; nothing secret is ever served.
 */
final class ControlSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlSocket.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread thread;

    private ControlSocket(Path path, ServerSocketChannel server, Function<String, String> handler) {
        this.path = path;
        this.server = server;
        this.thread = new Thread(() -> serve(handler), "tern-control");
        this.thread.setDaemon(true);
    }

    static ControlSocket start(Path path, Function<String, String> handler) {
        try {
            Files.deleteIfExists(path);
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            ControlSocket socket = new ControlSocket(path, server, handler);
            socket.thread.start();
            return socket;
        } catch (IOException e) {
            throw new AgentException(AgentException.FAILURE, "cannot open control socket " + path + ": " + e.getMessage(), e);
        }
    }

    private void serve(Function<String, String> handler) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                String request = readLine(client);
                String reply;
                try {
                    reply = handler.apply(request.strip());
                } catch (RuntimeException e) {
                    reply = "error: " + e.getMessage();
                }
                ByteBuffer out = ByteBuffer.wrap((reply + "\n").getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    client.write(out);
                }
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.debug("control connection failed: {}", e.toString());
                }
            }
        }
    }

    private static String readLine(SocketChannel client) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer in = ByteBuffer.allocate(256);
        while (line.indexOf("\n") < 0 && line.length() < 1024) {
            in.clear();
            int read = client.read(in);
            if (read < 0) {
                break;
            }
            line.append(new String(in.array(), 0, read, StandardCharsets.UTF_8));
        }
        int newline = line.indexOf("\n");
        return newline >= 0 ? line.substring(0, newline) : line.toString();
    }

    /** Client side: sends one command and returns the reply, or null when no daemon listens there. */
    static String request(Path path, String command) {
        if (!Files.exists(path)) {
            return null;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(path));
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            return new String(readAll(channel), StandardCharsets.UTF_8).strip();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static byte[] readAll(SocketChannel channel) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(8192);
        while (channel.read(in) >= 0) {
            in.flip();
            out.write(in.array(), 0, in.limit());
            in.clear();
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a stale socket file is detected by the next client as "not running"
        }
    }
}

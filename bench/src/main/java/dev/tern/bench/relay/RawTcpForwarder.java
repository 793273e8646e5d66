package dev.tern.bench.relay;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The ceiling the relay is measured against: a TCP forwarder that does nothing but copy bytes between two
 * connections that named the same 16-byte pairing name first — no framing, no authentication, no peer ids, a
 * thread per direction copying with the JDK's transferTo. Runs in its own JVM (like the relay node) so that its
 * memory can be read apart from the load: {@code RawTcpForwarder <port>} prints "ready" when listening.
 */
public final class RawTcpForwarder {
    static final int NAME_BYTES = 16;

    private final Map<String, Socket> waiting = new HashMap<>();

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4096);
            System.out.println("ready");
            System.out.flush();
            new RawTcpForwarder().serve(server);
        }
    }

    static byte[] pairingName(String name) {
        return Arrays.copyOf(name.getBytes(StandardCharsets.US_ASCII), NAME_BYTES);
    }

    private void serve(ServerSocket server) throws IOException {
        while (true) {
            Socket socket = server.accept();
            Thread thread = new Thread(() -> pair(socket), "pairing");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void pair(Socket socket) {
        try {
            socket.setTcpNoDelay(true);
            byte[] name = new byte[NAME_BYTES];
            new DataInputStream(socket.getInputStream()).readFully(name);
            String key = new String(name, StandardCharsets.US_ASCII);
            Socket other;
            synchronized (waiting) {
                other = waiting.remove(key);
                if (other == null) {
                    waiting.put(key, socket);
                    return;
                }
            }
            copy(socket, other);
            copy(other, socket);
        } catch (IOException e) {
            closeQuietly(socket);
        }
    }

    private static void copy(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // One side went away: the other follows.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "copy");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}

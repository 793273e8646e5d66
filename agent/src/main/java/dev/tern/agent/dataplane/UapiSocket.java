package dev.tern.agent.dataplane;

import dev.tern.agent.common.AgentException;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** One request/response exchange over a userspace WireGuard device's UAPI unix socket. */
public final class UapiSocket {
    private final Path socketPath;

    public UapiSocket(Path socketPath) {
        this.socketPath = socketPath;
    }

    public static Path defaultPath(String iface) {
        return Path.of("/var/run/wireguard", iface + ".sock");
    }

    Path path() {
        return socketPath;
    }

    /** Sends a request (which may hold the private key: it is never logged) and reads up to the blank line. */
    String exchange(String request) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socketPath));
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            StringBuilder response = new StringBuilder();
            ByteBuffer in = ByteBuffer.allocate(8192);
            while (response.indexOf("\n\n") < 0) {
                in.clear();
                int read = channel.read(in);
                if (read < 0) {
                    break;
                }
                response.append(new String(in.array(), 0, read, StandardCharsets.UTF_8));
            }
            return response.toString();
        } catch (IOException e) {
            throw new AgentException(AgentException.FAILURE,
                    "cannot talk to WireGuard UAPI socket " + socketPath + ": " + e.getMessage(), e);
        }
    }
}

package dev.tern.e2e.support;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Started inside a host namespace by the end-to-end test: listens on one TCP port and answers every connection
 * with the source address it arrived from, so a test sees whether a router masqueraded it.
 */
public final class SourceEcho {
    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(Integer.parseInt(args[0])));
            System.out.println("listening");
            while (true) {
                try (Socket s = server.accept()) {
                    String source = ((InetSocketAddress) s.getRemoteSocketAddress()).getAddress().getHostAddress();
                    s.getOutputStream().write((source + "\n").getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // one bad client does not end the listener
                }
            }
        }
    }
}

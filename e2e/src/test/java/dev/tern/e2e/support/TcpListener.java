package dev.tern.e2e.support;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Started inside a host namespace by the end-to-end test: listens on the given TCP ports and accepts (then
 * closes) every connection, so reachability through the mesh firewall can be probed from other hosts.
 */
public final class TcpListener {
    public static void main(String[] args) throws Exception {
        for (String arg : args) {
            ServerSocket server = new ServerSocket();
            server.bind(new InetSocketAddress(Integer.parseInt(arg)));
            Thread t = new Thread(() -> {
                while (true) {
                    try (Socket s = server.accept()) {
                        s.getOutputStream().write('y');
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            t.start();
        }
        System.out.println("listening");
        Thread.currentThread().join();
    }
}

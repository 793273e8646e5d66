package dev.tern.agent.dataplane;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A TCP echo server and a long-lived client, run as separate JVMs inside network namespaces by the namespace tests
 * (a JVM cannot open sockets in another namespace). {@code serve} echoes every byte; {@code talk} sends a byte every
 * 100 ms on its own. The client keeps one connection open and answers every line on its stdin: {@code x} sends a
 * byte and prints {@code ok} when a byte comes back within 3 s, {@code listen} drops what has arrived so far and
 * prints {@code ok} when a new byte arrives within 3 s; otherwise it prints {@code dead: reason}.
 */
public final class TcpProbe {
    private TcpProbe() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        InetAddress address = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        if (mode.equals("serve") || mode.equals("talk")) {
            serve(address, port, mode.equals("talk"), out);
        } else {
            client(address, port, out);
        }
    }

    private static void serve(InetAddress address, int port, boolean talk, PrintStream out) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(address, port));
            out.println("listening");
            while (true) {
                Socket socket = server.accept();
                Thread echo = new Thread(() -> {
                    try (socket; InputStream in = socket.getInputStream(); OutputStream o = socket.getOutputStream()) {
                        if (talk) {
                            // Without Nagle every byte leaves at once, acknowledged or not, as a chatty server's
                            // would: only a firewall can stop it.
                            socket.setTcpNoDelay(true);
                            while (true) {
                                o.write('y');
                                o.flush();
                                Thread.sleep(100);
                            }
                        }
                        int b;
                        while ((b = in.read()) >= 0) {
                            o.write(b);
                            o.flush();
                        }
                    } catch (IOException | InterruptedException ignored) {
                        // the client went away or the connection was cut
                    }
                });
                echo.setDaemon(true);
                echo.start();
            }
        }
    }

    private static void client(InetAddress address, int port, PrintStream out) throws IOException {
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 5_000);
            socket.setSoTimeout(3_000);
            out.println("connected");
            InputStream in = socket.getInputStream();
            OutputStream o = socket.getOutputStream();
            String line;
            while ((line = commands.readLine()) != null) {
                try {
                    if (line.equals("listen")) {
                        in.skipNBytes(in.available());
                    } else {
                        o.write('x');
                        o.flush();
                    }
                    int received = in.read();
                    out.println(received >= 0 ? "ok" : "dead: closed");
                } catch (SocketTimeoutException e) {
                    out.println("dead: no echo within 3 s");
                } catch (IOException e) {
                    out.println("dead: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            out.println("dead: " + e.getMessage());
        }
    }
}

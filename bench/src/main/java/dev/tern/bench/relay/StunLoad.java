package dev.tern.bench.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * STUN Binding requests per second against any STUN server (Tern's node, coturn): a few sockets, each keeping a
 * window of requests in flight and sending a new one for every answer, so the count is what the server answers,
 * not what the load process can send. Lost requests are replaced after a timeout.
 */
final class StunLoad {
    private StunLoad() {
    }

    record Result(long answers, double seconds) {
        double perSecond() {
            return answers / seconds;
        }
    }

    static Result run(InetSocketAddress server, int sockets, int window, double seconds) throws Exception {
        AtomicLong answers = new AtomicLong();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            Thread thread = new Thread(() -> {
                try (DatagramSocket socket = new DatagramSocket()) {
                    socket.connect(server);
                    socket.setSoTimeout(200);
                    byte[] answer = new byte[512];
                    DatagramPacket received = new DatagramPacket(answer, answer.length);
                    for (int w = 0; w < window; w++) {
                        socket.send(request());
                    }
                    while (System.nanoTime() < end) {
                        try {
                            socket.receive(received);
                            if (received.getLength() >= 20 && answer[0] == 0x01 && answer[1] == 0x01) {
                                answers.incrementAndGet();
                            }
                            socket.send(request());
                        } catch (SocketTimeoutException lost) {
                            for (int w = 0; w < window; w++) {
                                socket.send(request());
                            }
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("STUN load against " + server + " failed", e);
                }
            }, "stun-load-" + i);
            threads.add(thread);
        }
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }
        return new Result(answers.get(), (System.nanoTime() - start) / 1e9);
    }

    /** A Binding request: type 0x0001, no attributes, the RFC 5389 magic cookie, a random transaction id. */
    private static DatagramPacket request() {
        ByteBuffer message = ByteBuffer.allocate(20);
        message.putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442);
        byte[] transaction = new byte[12];
        ThreadLocalRandom.current().nextBytes(transaction);
        message.put(transaction);
        return new DatagramPacket(message.array(), 20);
    }
}

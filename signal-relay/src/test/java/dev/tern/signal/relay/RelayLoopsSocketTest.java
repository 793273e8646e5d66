package dev.tern.signal.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import dev.tern.protocol.relay.RelayTokens;
import dev.tern.signal.tls.ServerTls;
import dev.tern.signal.tls.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ends of a relayed pair end up on one event loop (RelayLoops), over real sockets: packets flowing both ways
 * while one end moves all arrive, once each, and the moved connection keeps its health checks.
 */
class RelayLoopsSocketTest {
    private static final int PACKETS = 3_000;
    private final RelayTokens tokens = RelayTokens.fromSharedSecret("relay-loops-secret", Clock.systemUTC());

    @TempDir
    Path dir;

    @Test
    void aPairTalkingBothWaysEndsUpOnOneLoopAndLosesNoPacketWhileItMoves() throws Exception {
        try (RelayServer server = server("rel://127.0.0.1:1").start()) {
            exchangeWhileMoving(server, null);
        }
    }

    /** TLS sits in the pipeline (SslHandler and its buffers move with the connection). */
    @Test
    void aPairOverTlsEndsUpOnOneLoopAndLosesNoPacketWhileItMoves() throws Exception {
        TestPki pki = new TestPki(dir);
        pki.issueServerCertificate();
        try (RelayServer server = server("rels://localhost:1").tls(ServerTls.fromPemFiles(pki.certFile, pki.keyFile))
                .start()) {
            exchangeWhileMoving(server, pki.clientContext());
        }
    }

    private RelayServer server(String url) {
        // Short enough that the next check comes within the client's 5 s read timeout; long enough that a sender
        // paused by backpressure (its answer waits in TCP) is not taken for dead under a loaded machine.
        Duration healthChecks = Duration.ofSeconds(2);
        return new RelayServer(new InetSocketAddress("127.0.0.1", 0),
                new RelaySessionSettings(tokens, url, Duration.ofSeconds(10), healthChecks));
    }

    private void exchangeWhileMoving(RelayServer server, SSLContext tls) throws Exception {
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
        PeerId alice = PeerId.ofPublicKey("alice=");
        PeerId bob = PeerId.ofPublicKey("bob=");
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (BlockingRelayClient a = BlockingRelayClient.authenticated(address, tls, tokens, alice);
             BlockingRelayClient b = BlockingRelayClient.authenticated(address, tls, tokens, bob)) {
            // Accepted one after the other, round robin: the relay's workers put them on two loops.
            assertThat(server.channelOf(alice).eventLoop()).isNotSameAs(server.channelOf(bob).eventLoop());

            List<Future<?>> work = List.of(
                    threads.submit(send(a, bob)), threads.submit(send(b, alice)));
            Future<List<Integer>> atBob = threads.submit(receive(b, alice));
            Future<List<Integer>> atAlice = threads.submit(receive(a, bob));
            for (Future<?> sending : work) {
                sending.get(30, TimeUnit.SECONDS);
            }
            List<Integer> all = IntStream.range(0, PACKETS).boxed().toList();
            // Every packet once, both ways. Either end may be the one that moves (both send at once), and the
            // packets its partner had handed to its old loop may arrive after newer ones: WireGuard takes that.
            assertThat(atBob.get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrderElementsOf(all);
            assertThat(atAlice.get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrderElementsOf(all);
            assertThat(server.channelOf(alice).eventLoop()).as("one loop for the pair")
                    .isSameAs(server.channelOf(bob).eventLoop());

            // Health checks go on from the loop the connection is on now: the next one arrives.
            assertThat(awaitHealthCheck(a)).isInstanceOf(RelayFrame.HealthCheck.class);
        } finally {
            threads.shutdownNow();
        }
    }

    private static Callable<Void> send(BlockingRelayClient from, PeerId to) {
        return () -> {
            for (int i = 0; i < PACKETS; i++) {
                from.write(RelayFrameCodec.encode(new RelayFrame.Transport(to, ByteBuffer.allocate(200).putInt(i).array())));
                if (i % 8 == 7) {
                    from.flush();
                }
            }
            from.flush();
            return null;
        };
    }

    /** Sequence numbers of the packets from {@code from}, in the order they arrive; health checks are answered. */
    private static Callable<List<Integer>> receive(BlockingRelayClient at, PeerId from) {
        return () -> {
            List<Integer> received = new ArrayList<>();
            while (received.size() < PACKETS) {
                RelayFrame frame = RelayFrameCodec.decode(at.read());
                if (frame instanceof RelayFrame.Transport transport) {
                    assertThat(transport.peerId()).isEqualTo(from);
                    received.add(ByteBuffer.wrap(transport.payload()).getInt());
                } else if (frame instanceof RelayFrame.HealthCheck) {
                    at.send(RelayFrameCodec.encode(new RelayFrame.HealthCheck()));
                }
            }
            return received;
        };
    }

    private static RelayFrame awaitHealthCheck(BlockingRelayClient client) throws IOException {
        while (true) {
            RelayFrame frame = RelayFrameCodec.decode(client.read()); // the client's read times out after 5 s
            if (frame instanceof RelayFrame.HealthCheck) {
                return frame;
            }
        }
    }
}

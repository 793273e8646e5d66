package dev.tern.testsupport.relay;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayFrameCodec;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A relay client built on the JDK's WebSocket (not Netty's, so it shares no code with the server under test):
 * speaks NetBird's relay framing at {@code /relay}, reassembles fragmented messages, collects what the relay sends
 * and notices when it hangs up.
 */
public final class RelayTestClient implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final Listener listener = new Listener();
    private final WebSocket socket;

    private RelayTestClient(URI uri, HttpClient http) throws Exception {
        this.socket = http.newWebSocketBuilder().buildAsync(uri, listener)
                .get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Connects to a WebSocket URI such as {@code ws://127.0.0.1:33080/relay}. */
    public static RelayTestClient connect(URI webSocket) throws Exception {
        return new RelayTestClient(webSocket, HttpClient.newHttpClient());
    }

    /** Connects as NetBird's relay client does: {@code rel://host:port} is plain WebSocket at {@code /relay}. */
    public static RelayTestClient connectToRelayUrl(String relayUrl) throws Exception {
        URI rel = URI.create(relayUrl);
        return connect(URI.create("ws://" + rel.getHost() + ":" + rel.getPort() + "/relay"));
    }

    /** Connects and sends Auth for {@code peerId} with the marshalled token. */
    public static RelayTestClient authenticate(String relayUrl, PeerId peerId, byte[] marshalledToken)
            throws Exception {
        RelayTestClient client = connectToRelayUrl(relayUrl);
        client.send(new RelayFrame.Auth(peerId, marshalledToken));
        return client;
    }

    /** Sends one frame as one complete binary message. */
    public void send(RelayFrame frame) throws Exception {
        byte[] encoded = RelayFrameCodec.encode(frame);
        sendFragment(encoded, 0, encoded.length, true);
    }

    /** Sends part of an encoded frame as one WebSocket fragment; {@code last} ends the message. */
    public void sendFragment(byte[] encoded, int offset, int length, boolean last) throws Exception {
        socket.sendBinary(ByteBuffer.wrap(encoded, offset, length), last)
                .get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The next message within {@code timeout}; fails the test when none arrives. */
    public RelayFrame next(Duration timeout) throws InterruptedException {
        RelayFrame frame = listener.received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
            throw new AssertionError("no relay message within " + timeout);
        }
        return frame;
    }

    /**
     * The next message, or null once the relay closed the connection without one; fails the test when the relay
     * neither answers nor closes within {@code timeout}.
     */
    public RelayFrame nextOrNullWhenClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            RelayFrame frame = listener.received.poll(100, TimeUnit.MILLISECONDS);
            if (frame != null) {
                return frame;
            }
            if (listener.closed.isDone() && listener.received.isEmpty()) {
                return null;
            }
        }
        throw new AssertionError("the relay neither answered nor closed within " + timeout);
    }

    /** Completes when the relay closes the connection (or it fails). */
    public CompletableFuture<Void> closed() {
        return listener.closed;
    }

    /** A clean WebSocket close from this side. */
    public void sendClose() throws Exception {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Drops the connection without a close handshake. */
    @Override
    public void close() {
        socket.abort();
    }

    private static final class Listener implements WebSocket.Listener {
        private final BlockingQueue<RelayFrame> received = new LinkedBlockingQueue<>();
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.writeBytes(chunk);
            if (last) {
                received.add(RelayFrameCodec.decode(partial.toByteArray()));
                partial.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(null);
        }
    }
}

package dev.tern.signal;

import dev.tern.protocol.signal.EncryptedMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outbound half of one peer's ConnectStream. Many threads (other peers' Send calls and streams) deliver
 * to it at once while a gRPC call allows one writer at a time, so every write is serialised here.
 *
 * <p>gRPC would buffer without limit for a peer that does not read. Here a message goes to the transport only
 * while it is ready; otherwise it waits in a small queue that keeps the newest {@code maxQueued} messages and
 * drops the oldest (signalling is retried by the peers, and a stale candidate is worth less than a fresh one).
 * All queues together stay under a node-wide byte budget; past it, a slow peer's oldest queued messages make room for
 * its new one, and a peer with nothing queued loses the new one.
 */
final class PeerStream {
    private final ServerCallStreamObserver<EncryptedMessage> out;
    private final Runnable sendRegisteredHeader;
    private final SocketAddress connection;
    private final int maxQueued;
    private final AtomicLong queuedBytesOnNode;
    private final long maxQueuedBytesOnNode;
    private final ArrayDeque<EncryptedMessage> queue = new ArrayDeque<>();
    private volatile String key;
    private boolean closed;
    private long dropped;

    PeerStream(ServerCallStreamObserver<EncryptedMessage> out, Runnable sendRegisteredHeader, SocketAddress connection,
               int maxQueued, AtomicLong queuedBytesOnNode, long maxQueuedBytesOnNode) {
        this.out = out;
        this.sendRegisteredHeader = sendRegisteredHeader;
        this.connection = connection;
        this.maxQueued = maxQueued;
        this.queuedBytesOnNode = queuedBytesOnNode;
        this.maxQueuedBytesOnNode = maxQueuedBytesOnNode;
        out.setOnReadyHandler(this::drain);
    }

    String key() {
        return key;
    }

    SocketAddress connection() {
        return connection;
    }

    void registeredAs(String key) {
        this.key = key;
    }

    /** Whether the stream has ended, from either side: a newcomer under its key may then take its place. */
    synchronized boolean isGone() {
        return closed || out.isCancelled();
    }

    synchronized int queued() {
        return queue.size();
    }

    synchronized long dropped() {
        return dropped;
    }

    synchronized void sendRegisteredHeader() {
        if (!closed) {
            sendRegisteredHeader.run();
        }
    }

    /**
     * Sends the message now, or queues it while the peer is not reading (dropping the oldest queued one when full).
     *
     * @return false when the stream is gone, so the caller can report the recipient as absent and deregister it
     */
    synchronized boolean deliver(EncryptedMessage message) {
        if (closed || out.isCancelled()) {
            return false;
        }
        if (queue.isEmpty() && out.isReady()) {
            return write(message);
        }
        if (queue.size() >= maxQueued) {
            release(queue.removeFirst());
            dropped++;
        }
        long size = message.getSerializedSize();
        // Over the node's budget, this stream gives up its own oldest messages first: it is the slow one.
        while (!queue.isEmpty() && queuedBytesOnNode.get() + size > maxQueuedBytesOnNode) {
            release(queue.removeFirst());
            dropped++;
        }
        if (queuedBytesOnNode.addAndGet(size) > maxQueuedBytesOnNode) {
            queuedBytesOnNode.addAndGet(-size);
            dropped++;
            return true; // the recipient is there, just slow; the sender is not to blame
        }
        queue.addLast(message);
        if (out.isReady()) {
            drain(); // became ready since the last drain stopped; its onReady callback may still be on its way
        }
        return true;
    }

    /** The transport can take more: send what waited, oldest first, while it stays ready. */
    private synchronized void drain() {
        while (!closed && !queue.isEmpty() && out.isReady()) {
            EncryptedMessage next = queue.removeFirst();
            release(next);
            if (!write(next)) {
                return;
            }
        }
    }

    private boolean write(EncryptedMessage message) {
        try {
            out.onNext(message);
            return true;
        } catch (RuntimeException e) {
            // The call was cancelled between the check and the write.
            close();
            return false;
        }
    }

    synchronized void fail(Status status) {
        if (!closed) {
            close();
            try {
                out.onError(status.asRuntimeException());
            } catch (RuntimeException ignored) {
                // already cancelled by the client
            }
        }
    }

    synchronized void complete() {
        if (!closed) {
            close();
            try {
                out.onCompleted();
            } catch (RuntimeException ignored) {
                // already cancelled by the client
            }
        }
    }

    /** The peer cancelled: nothing more can be sent, so what waited is given back to the node's budget. */
    synchronized void cancelled() {
        close();
    }

    private void close() {
        closed = true;
        while (!queue.isEmpty()) {
            release(queue.removeFirst());
        }
    }

    private void release(EncryptedMessage message) {
        queuedBytesOnNode.addAndGet(-message.getSerializedSize());
    }
}

package dev.tern.signal;

import dev.tern.protocol.signal.EncryptedMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * The outbound half of one peer's ConnectStream. Many threads (other peers' Send calls and streams) deliver
 * to it at once while a gRPC call allows one writer at a time, so every write is serialised here.
 */
final class PeerStream {
    /**
     * How many bytes may wait for a peer that is not reading. gRPC would buffer without limit; a stalled peer
     * must not be able to exhaust the node, so past this it is disconnected (its client reconnects).
     */
    static final long MAX_PENDING_BYTES = 8L * 1024 * 1024;

    private final ServerCallStreamObserver<EncryptedMessage> out;
    private final Runnable sendRegisteredHeader;
    private volatile String key;
    private boolean closed;
    private long pendingBytes;

    PeerStream(ServerCallStreamObserver<EncryptedMessage> out, Runnable sendRegisteredHeader) {
        this.out = out;
        this.sendRegisteredHeader = sendRegisteredHeader;
        out.setOnReadyHandler(this::drained);
    }

    private synchronized void drained() {
        if (out.isReady()) {
            pendingBytes = 0;
        }
    }

    String key() {
        return key;
    }

    void registeredAs(String key) {
        this.key = key;
    }

    synchronized void sendRegisteredHeader() {
        if (!closed) {
            sendRegisteredHeader.run();
        }
    }

    /**
     * @return false when the stream is gone, or has just been dropped for not reading, so the caller can
     *         report the recipient as absent and deregister it
     */
    synchronized boolean deliver(EncryptedMessage message) {
        if (closed || out.isCancelled()) {
            return false;
        }
        if (!out.isReady()) {
            pendingBytes += message.getSerializedSize();
            if (pendingBytes > MAX_PENDING_BYTES) {
                fail(Status.RESOURCE_EXHAUSTED.withDescription("peer is not reading its signal stream"));
                return false;
            }
        }
        try {
            out.onNext(message);
            return true;
        } catch (RuntimeException e) {
            // The call was cancelled between the check and the write.
            closed = true;
            return false;
        }
    }

    synchronized void fail(Status status) {
        if (!closed) {
            closed = true;
            try {
                out.onError(status.asRuntimeException());
            } catch (RuntimeException ignored) {
                // already cancelled by the client
            }
        }
    }

    synchronized void complete() {
        if (!closed) {
            closed = true;
            try {
                out.onCompleted();
            } catch (RuntimeException ignored) {
                // already cancelled by the client
            }
        }
    }
}

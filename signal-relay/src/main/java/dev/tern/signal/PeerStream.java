package dev.tern.signal;

import dev.tern.protocol.signal.EncryptedMessage;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * The outbound half of one peer's ConnectStream. Many threads (other peers' Send calls and streams) deliver
 * to it at once while a gRPC call allows one writer at a time, so every write is serialised here.
 */
final class PeerStream {
    private final ServerCallStreamObserver<EncryptedMessage> out;
    private final Runnable sendRegisteredHeader;
    private volatile String key;
    private boolean closed;

    PeerStream(ServerCallStreamObserver<EncryptedMessage> out, Runnable sendRegisteredHeader) {
        this.out = out;
        this.sendRegisteredHeader = sendRegisteredHeader;
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

    /** @return false when the stream is already gone, so the caller can report the recipient as absent */
    synchronized boolean deliver(EncryptedMessage message) {
        if (closed || out.isCancelled()) {
            return false;
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

package dev.tern.protocol.relay;

/** A relay message that is malformed, of an unsupported version or type, or too large. */
public final class RelayFrameException extends RuntimeException {
    public RelayFrameException(String message) {
        super(message);
    }
}

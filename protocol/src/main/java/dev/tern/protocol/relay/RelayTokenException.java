package dev.tern.protocol.relay;

/** A relay token that is malformed, not signed with our secret, or expired. */
public final class RelayTokenException extends RuntimeException {
    public RelayTokenException(String message) {
        super(message);
    }
}

package dev.tern.protocol.crypto;

/**
 * A sealed message could not be opened or a key is unusable: wrong key, tampered or truncated ciphertext,
 * malformed key text, or an inner message that does not parse. Callers map it to one client-error status;
 * the message never contains key material.
 */
public final class NaclBoxException extends RuntimeException {
    public NaclBoxException(String message) {
        super(message);
    }

    public NaclBoxException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.tern.events.values;

/**
 * A value that can never be valid, whatever the state of the account: a bad CIDR, a WireGuard key that is not
 * 32 bytes of base64, a port outside 1..65535. The API turns it into a 400.
 */
public class InvalidValueException extends IllegalArgumentException {
    public InvalidValueException(String message) {
        super(message);
    }
}

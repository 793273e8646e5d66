package dev.tern.api.outage;

import org.springframework.dao.TransientDataAccessResourceException;

/**
 * A write refused because this server's clock is too far ahead of the database's ({@link ClockGuard}). Transient,
 * like the database being away, so the edges that answer those answer this the same way (gRPC UNAVAILABLE, REST 503
 * with Retry-After), with its own message.
 */
public class ClockAheadException extends TransientDataAccessResourceException {
    public ClockAheadException(String message) {
        super(message);
    }
}

package dev.tern.events;

import java.time.Instant;

/** A registered peer logged in again with a valid setup key: its login is fresh (and no longer expired). */
public record PeerLoginRenewed(String accountId, String peerId, String setupKeyId, Instant renewedAt)
        implements AccountEvent {
}

package dev.tern.events;

import dev.tern.events.values.PeerExpiry;
import java.time.Instant;

/**
 * A peer's login lapsed ({@code cause}): it may no longer sync or log in without a valid setup key, and peers that
 * see it list it among their offline peers until it logs in again.
 */
public record PeerLoginExpired(String accountId, String peerId, PeerExpiry cause, Instant expiredAt)
        implements AccountEvent {
}

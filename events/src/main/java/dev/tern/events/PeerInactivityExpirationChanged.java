package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Inactivity expiration for a peer was enabled or disabled. */
public record PeerInactivityExpirationChanged(String accountId, String peerId, boolean enabled) implements AccountEvent {
}

package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Login expiration for a peer was enabled or disabled. */
public record PeerLoginExpirationChanged(String accountId, String peerId, boolean enabled) implements AccountEvent {
}

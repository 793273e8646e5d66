package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** SSH on a peer was enabled or disabled. */
public record PeerSshChanged(String accountId, String peerId, boolean enabled) implements AccountEvent {
}

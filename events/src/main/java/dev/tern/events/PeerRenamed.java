package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A peer got a new name and, derived from it, a new DNS label. */
public record PeerRenamed(String accountId, String peerId, String oldName, String newName, String dnsLabel) implements AccountEvent {
}

package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A peer left a group. */
public record PeerRemovedFromGroup(String accountId, String groupId, String peerId) implements AccountEvent {
}

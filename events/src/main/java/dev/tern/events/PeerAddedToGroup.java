package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A peer became a member of a group (never the All group, which holds every peer implicitly). */
public record PeerAddedToGroup(String accountId, String groupId, String peerId) implements AccountEvent {
}

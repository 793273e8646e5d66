package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A peer was removed from the mesh (and from every group). */
public record PeerDeleted(String accountId, String peerId, WireGuardKey wgPubKey) implements AccountEvent {
}

package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Register a device with a setup key (by hash). proposedPeerId is used if the key is new; registering a known WireGuard key again is idempotent and returns the existing peer. */
public record RegisterPeer(String accountId, String proposedPeerId, String setupKeyHash, WireGuardKey wgPubKey, PeerSystemMeta meta) implements AccountCommand {
}

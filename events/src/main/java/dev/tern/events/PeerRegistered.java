package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A device joined the mesh with a setup key (setupKeyId) or as a user's device (userId); its auto-groups follow as PeerAddedToGroup events. */
public record PeerRegistered(String accountId, String peerId, WireGuardKey wgPubKey, MeshIp ip, String dnsLabel, String name, PeerSystemMeta meta, String setupKeyId, String userId, boolean ephemeral, boolean loginExpirationEnabled, Instant registeredAt) implements AccountEvent {
}

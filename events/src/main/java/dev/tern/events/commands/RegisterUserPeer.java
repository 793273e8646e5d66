package dev.tern.events.commands;

import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import java.util.List;

/**
 * A user's device logs in with the user's JWT (NetBird's SSO login): an unknown WireGuard key registers a peer
 * owned by the user, with login expiration on and the user's auto-groups; a known key must be that user's peer, and
 * an expired login is renewed. proposedPeerId is used if the key is new. extraDnsLabels are refused: only a setup
 * key can allow them.
 */
public record RegisterUserPeer(String accountId, String proposedPeerId, String userId, WireGuardKey wgPubKey,
                               PeerSystemMeta meta, List<String> extraDnsLabels) implements AccountCommand {
    public RegisterUserPeer {
        extraDnsLabels = extraDnsLabels == null ? List.of() : List.copyOf(extraDnsLabels);
    }
}

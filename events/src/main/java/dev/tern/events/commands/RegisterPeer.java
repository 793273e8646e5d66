package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/**
 * Register a device with a setup key (by hash). proposedPeerId is used if the key is new; registering a known WireGuard
 * key again is idempotent and returns the existing peer. extraDnsLabels: the labels the device's client asks for
 * (NetBird's LoginRequest.dnsLabels), refused unless the setup key allows them; kept only at registration.
 */
public record RegisterPeer(String accountId, String proposedPeerId, String setupKeyHash, WireGuardKey wgPubKey, PeerSystemMeta meta, List<String> extraDnsLabels) implements AccountCommand {
    public RegisterPeer {
        extraDnsLabels = extraDnsLabels == null ? List.of() : List.copyOf(extraDnsLabels);
    }

    /** A registration without extra DNS labels. */
    public RegisterPeer(String accountId, String proposedPeerId, String setupKeyHash, WireGuardKey wgPubKey, PeerSystemMeta meta) {
        this(accountId, proposedPeerId, setupKeyHash, wgPubKey, meta, List.of());
    }
}

package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/**
 * A device joined the mesh with a setup key (setupKeyId) or as a user's device (userId); its auto-groups follow as
 * PeerAddedToGroup events. Revision 2 carries the extra DNS labels the device registered with (before, a
 * PeerExtraDnsLabelsSet followed the registration, so for a moment the peer existed without the names it asked
 * for); stored revision-1 events are upcast with no labels, and their PeerExtraDnsLabelsSet still follows.
 */
@EventRevision(PeerRegistered.REVISION)
public record PeerRegistered(String accountId, String peerId, WireGuardKey wgPubKey, MeshIp ip, String dnsLabel, String name, PeerSystemMeta meta, String setupKeyId, String userId, boolean ephemeral, boolean loginExpirationEnabled, Instant registeredAt, List<String> extraDnsLabels) implements AccountEvent {
    public static final String REVISION = "2";

    public PeerRegistered {
        extraDnsLabels = extraDnsLabels == null ? List.of() : List.copyOf(extraDnsLabels);
    }

    /** A registration without extra DNS labels. */
    public PeerRegistered(String accountId, String peerId, WireGuardKey wgPubKey, MeshIp ip, String dnsLabel, String name, PeerSystemMeta meta, String setupKeyId, String userId, boolean ephemeral, boolean loginExpirationEnabled, Instant registeredAt) {
        this(accountId, peerId, wgPubKey, ip, dnsLabel, name, meta, setupKeyId, userId, ephemeral, loginExpirationEnabled, registeredAt, List.of());
    }
}

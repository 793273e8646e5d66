package dev.tern.events;

import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import java.util.List;

/**
 * The account's mesh network moved from {@code before} to {@code after} (NetBird's {@code settings.network_range}),
 * and with it every peer: {@code peerAddresses} holds each peer's new address, decided by the account, so every
 * fold (read model, network maps, as-of reads) replays the move exactly without allocating anything itself.
 */
public record AccountNetworkRangeChanged(String accountId, Cidr before, Cidr after, List<PeerAddress> peerAddresses)
        implements AccountEvent {
    public AccountNetworkRangeChanged {
        peerAddresses = peerAddresses == null ? List.of() : List.copyOf(peerAddresses);
    }

    /** One peer's address in the new network. */
    public record PeerAddress(String peerId, MeshIp ip) {
    }
}

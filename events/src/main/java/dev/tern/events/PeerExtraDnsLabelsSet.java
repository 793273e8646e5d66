package dev.tern.events;

import java.util.List;

/**
 * A peer's extra DNS labels (NetBird's ExtraDNSLabels, sent by its client at registration with a setup key that
 * allows them): each names the peer as {@code label.<dnsDomain>} beside its own label. Lower case, unique in the
 * account; empty clears them.
 */
public record PeerExtraDnsLabelsSet(String accountId, String peerId, List<String> labels) implements AccountEvent {
}

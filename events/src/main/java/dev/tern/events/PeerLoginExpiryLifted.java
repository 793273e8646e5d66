package dev.tern.events;

/**
 * An expired peer is no longer expired because the rule that expired it no longer holds (expiration turned off for
 * the account or the peer, or a longer period): it is back in its peers' maps without logging in.
 */
public record PeerLoginExpiryLifted(String accountId, String peerId) implements AccountEvent {
}

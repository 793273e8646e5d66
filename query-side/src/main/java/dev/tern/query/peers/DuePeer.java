package dev.tern.query.peers;

/** A peer whose login the expiry sweeper should expire (the account re-checks before it does). */
public record DuePeer(String accountId, String peerId) {
}

package dev.tern.events.commands;

import dev.tern.events.values.PeerExpiry;

/**
 * The expiry sweeper found the peer due ({@code cause}). The account re-checks what it can (flags, settings, the
 * last login against its own clock) and expires the peer, or does nothing when it is not due or already expired.
 * Answers whether the peer was expired by this command.
 */
public record ExpirePeerLogin(String accountId, String peerId, PeerExpiry cause) implements AccountCommand {
}

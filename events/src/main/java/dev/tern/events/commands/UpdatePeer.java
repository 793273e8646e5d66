package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Change a peer's name, SSH and expiration flags (NetBird's PUT /api/peers/{id}). */
public record UpdatePeer(String accountId, String peerId, String name, boolean sshEnabled, boolean loginExpirationEnabled, boolean inactivityExpirationEnabled) implements AccountCommand {
}

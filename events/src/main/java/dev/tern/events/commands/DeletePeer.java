package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Remove a peer from the mesh. */
public record DeletePeer(String accountId, String peerId) implements AccountCommand {
}

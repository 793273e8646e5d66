package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Delete a group that nothing references. */
public record DeleteGroup(String accountId, String groupId) implements AccountCommand {
}

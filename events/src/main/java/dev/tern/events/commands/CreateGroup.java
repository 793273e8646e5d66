package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Create a group, optionally with initial member peers. */
public record CreateGroup(String accountId, String groupId, String name, List<String> peers) implements AccountCommand {
}

package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Rename a group and replace its member peers (null peers: keep membership). */
public record UpdateGroup(String accountId, String groupId, String name, List<String> peers) implements AccountCommand {
}

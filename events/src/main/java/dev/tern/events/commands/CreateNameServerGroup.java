package dev.tern.events.commands;

import dev.tern.events.values.NameServerGroupDefinition;

/** Create a nameserver group. */
public record CreateNameServerGroup(String accountId, String nameServerGroupId,
                                    NameServerGroupDefinition definition) implements AccountCommand {
}

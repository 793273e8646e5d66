package dev.tern.events.commands;

import dev.tern.events.values.NameServerGroupDefinition;

/** Replace a nameserver group's definition. */
public record UpdateNameServerGroup(String accountId, String nameServerGroupId,
                                    NameServerGroupDefinition definition) implements AccountCommand {
}

package dev.tern.events;

import dev.tern.events.values.NameServerGroupDefinition;

/** A nameserver group was replaced by a new definition. */
public record NameServerGroupUpdated(String accountId, String nameServerGroupId,
                                     NameServerGroupDefinition definition) implements AccountEvent {
}

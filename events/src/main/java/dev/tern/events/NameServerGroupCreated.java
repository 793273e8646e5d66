package dev.tern.events;

import dev.tern.events.values.NameServerGroupDefinition;

/** A nameserver group was created. */
public record NameServerGroupCreated(String accountId, String nameServerGroupId,
                                     NameServerGroupDefinition definition) implements AccountEvent {
}

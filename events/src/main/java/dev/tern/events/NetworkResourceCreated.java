package dev.tern.events;

import dev.tern.events.values.NetworkResourceDefinition;

/** A resource was added to a network. */
public record NetworkResourceCreated(String accountId, String networkId, String resourceId,
                                     NetworkResourceDefinition definition) implements AccountEvent {
}

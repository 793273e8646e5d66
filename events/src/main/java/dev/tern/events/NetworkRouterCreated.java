package dev.tern.events;

import dev.tern.events.values.NetworkRouterDefinition;

/** A router was added to a network. */
public record NetworkRouterCreated(String accountId, String networkId, String routerId,
                                   NetworkRouterDefinition definition) implements AccountEvent {
}

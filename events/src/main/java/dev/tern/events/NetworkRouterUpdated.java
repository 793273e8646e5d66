package dev.tern.events;

import dev.tern.events.values.NetworkRouterDefinition;

/** A network router's definition was replaced. */
public record NetworkRouterUpdated(String accountId, String networkId, String routerId,
                                   NetworkRouterDefinition definition) implements AccountEvent {
}

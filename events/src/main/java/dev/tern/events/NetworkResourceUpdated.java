package dev.tern.events;

import dev.tern.events.values.NetworkResourceDefinition;

/** A network resource's definition was replaced. */
public record NetworkResourceUpdated(String accountId, String networkId, String resourceId,
                                     NetworkResourceDefinition definition) implements AccountEvent {
}

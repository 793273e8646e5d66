package dev.tern.events;

import dev.tern.events.values.RouteDefinition;

/** A network route was updated: its definition was replaced. */
public record RouteUpdated(String accountId, String routeId, RouteDefinition definition) implements AccountEvent {
}

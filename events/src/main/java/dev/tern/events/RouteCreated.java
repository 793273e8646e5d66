package dev.tern.events;

import dev.tern.events.values.RouteDefinition;

/** A network route was created. */
public record RouteCreated(String accountId, String routeId, RouteDefinition definition) implements AccountEvent {
}

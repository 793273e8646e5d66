package dev.tern.events.commands;

import dev.tern.events.values.RouteDefinition;

/** Create a network route. */
public record CreateRoute(String accountId, String routeId, RouteDefinition definition) implements AccountCommand {
}

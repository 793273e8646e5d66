package dev.tern.events.commands;

import dev.tern.events.values.RouteDefinition;

/** Replace a network route's definition. */
public record UpdateRoute(String accountId, String routeId, RouteDefinition definition) implements AccountCommand {
}

package dev.tern.events.commands;

/** Delete a network route. */
public record DeleteRoute(String accountId, String routeId) implements AccountCommand {
}

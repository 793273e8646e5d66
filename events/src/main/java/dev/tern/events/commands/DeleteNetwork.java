package dev.tern.events.commands;

/** Delete a network with its resources and routers. */
public record DeleteNetwork(String accountId, String networkId) implements AccountCommand {
}

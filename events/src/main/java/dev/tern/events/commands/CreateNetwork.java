package dev.tern.events.commands;

/** Create a network. */
public record CreateNetwork(String accountId, String networkId, String name, String description)
        implements AccountCommand {
}

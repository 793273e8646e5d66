package dev.tern.events.commands;

/** Replace a network's name and description. */
public record UpdateNetwork(String accountId, String networkId, String name, String description)
        implements AccountCommand {
}

package dev.tern.events.commands;

/** Remove a router from its network. */
public record DeleteNetworkRouter(String accountId, String networkId, String routerId) implements AccountCommand {
}

package dev.tern.events.commands;

/** Remove a resource from its network. */
public record DeleteNetworkResource(String accountId, String networkId, String resourceId) implements AccountCommand {
}

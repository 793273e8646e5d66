package dev.tern.events;

/** A router was removed from its network. */
public record NetworkRouterDeleted(String accountId, String networkId, String routerId) implements AccountEvent {
}

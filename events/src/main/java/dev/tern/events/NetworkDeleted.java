package dev.tern.events;

/** A network was deleted (after its resources and routers, each with its own event). */
public record NetworkDeleted(String accountId, String networkId, String name) implements AccountEvent {
}

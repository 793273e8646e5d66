package dev.tern.events;

/** A network (NetBird's Networks: resources reached through routers) was created. */
public record NetworkCreated(String accountId, String networkId, String name, String description)
        implements AccountEvent {
}

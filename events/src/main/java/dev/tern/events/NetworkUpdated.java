package dev.tern.events;

/** A network's name and description were replaced. */
public record NetworkUpdated(String accountId, String networkId, String name, String description)
        implements AccountEvent {
}

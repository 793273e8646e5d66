package dev.tern.events;

/** A resource was removed from its network; {@code name} is for the audit trail. */
public record NetworkResourceDeleted(String accountId, String networkId, String resourceId, String name)
        implements AccountEvent {
}

package dev.tern.events;

/** A nameserver group was deleted. */
public record NameServerGroupDeleted(String accountId, String nameServerGroupId, String name) implements AccountEvent {
}

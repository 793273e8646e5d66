package dev.tern.events;

/** A network route was deleted; {@code netId} is its network identifier, for the audit trail. */
public record RouteDeleted(String accountId, String routeId, String netId) implements AccountEvent {
}

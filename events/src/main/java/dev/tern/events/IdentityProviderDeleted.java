package dev.tern.events;

/** An identity provider was removed: its tokens no longer sign anyone in. */
public record IdentityProviderDeleted(String accountId, String providerId) implements AccountEvent {
}

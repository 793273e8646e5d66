package dev.tern.events;

/** A local user signed in at the embedded OpenID Provider (password, and one-time code when enrolled). */
public record UserSignedIn(String accountId, String userId) implements AccountEvent {
}

package dev.tern.events;

/** A local user changed their password (the hash is kept by the embedded OpenID Provider, never in an event). */
public record UserPasswordChanged(String accountId, String userId) implements AccountEvent {
}

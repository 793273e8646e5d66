package dev.tern.events;

/** An invite got a new token and expiry; the old token stopped working. */
public record UserInviteRegenerated(String accountId, String inviteId, String email) implements AccountEvent {
}

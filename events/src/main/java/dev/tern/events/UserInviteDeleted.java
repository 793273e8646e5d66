package dev.tern.events;

/** An invite was withdrawn before it was accepted. */
public record UserInviteDeleted(String accountId, String inviteId, String email) implements AccountEvent {
}

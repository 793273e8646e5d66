package dev.tern.events;

/** The invited person accepted with a password and became the local user {@code userId}. */
public record UserInviteAccepted(String accountId, String inviteId, String email, String userId) implements AccountEvent {
}

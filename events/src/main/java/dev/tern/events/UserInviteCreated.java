package dev.tern.events;

import dev.tern.events.values.UserRole;

/** An owner or admin invited a person by e-mail to join as a local user (the token is never part of an event). */
public record UserInviteCreated(String accountId, String inviteId, String email, UserRole role) implements AccountEvent {
}

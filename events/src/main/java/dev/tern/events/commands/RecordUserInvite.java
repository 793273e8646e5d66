package dev.tern.events.commands;

import dev.tern.events.values.UserRole;

/**
 * Record a change of an invite (kept, with its hashed token, by the embedded OpenID Provider). Creating,
 * regenerating and deleting need an acting owner or admin; accepting is done by the invitee.
 */
public record RecordUserInvite(String accountId, String inviteId, String email, UserRole role, Change change,
                               String actingUserId) implements AccountCommand {
    public enum Change {
        CREATED, REGENERATED, DELETED, ACCEPTED
    }
}

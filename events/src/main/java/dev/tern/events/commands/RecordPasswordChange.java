package dev.tern.events.commands;

/** Record that a local user changed their own password; only the user may (NetBird's rule). */
public record RecordPasswordChange(String accountId, String userId, String actingUserId) implements AccountCommand {
}

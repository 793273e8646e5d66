package dev.tern.events.commands;

import java.util.List;

/**
 * With JWT group sync on: creates the groups the token names (issued "jwt") and makes the user's JWT-issued
 * auto-groups exactly those; groups the user got otherwise stay. The user is the actor; nothing changed, no event.
 */
public record SyncJwtGroups(String accountId, String userId, List<String> groupNames) implements AccountCommand {
}

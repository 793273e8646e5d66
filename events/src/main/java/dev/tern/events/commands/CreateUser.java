package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Add a user or service user to the account. */
public record CreateUser(String accountId, String userId, String email, String name, UserRole role, boolean serviceUser, List<String> autoGroups, String actingUserId) implements AccountCommand {
}

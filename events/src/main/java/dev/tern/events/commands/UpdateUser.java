package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Change a user's role, auto-groups and blocked state (NetBird's PUT /api/users/{id}). */
public record UpdateUser(String accountId, String userId, UserRole role, List<String> autoGroups, boolean blocked, String actingUserId) implements AccountCommand {
}

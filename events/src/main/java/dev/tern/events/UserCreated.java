package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A user (or service user) joined the account. */
public record UserCreated(String accountId, String userId, String email, String name, UserRole role, boolean serviceUser, List<String> autoGroups, Instant createdAt) implements AccountEvent {
}

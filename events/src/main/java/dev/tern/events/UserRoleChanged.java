package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A user's role changed. */
public record UserRoleChanged(String accountId, String userId, UserRole oldRole, UserRole newRole) implements AccountEvent {
}

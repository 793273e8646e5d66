package dev.tern.query.users;

import dev.tern.events.values.UserRole;
import java.time.Instant;
import java.util.List;

public record UserView(String id, String accountId, String email, String name, UserRole role, boolean serviceUser,
                       boolean blocked, List<String> autoGroups, Instant createdAt, Instant lastLogin) {
}

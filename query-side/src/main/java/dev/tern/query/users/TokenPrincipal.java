package dev.tern.query.users;

import dev.tern.events.values.UserRole;
import java.time.Instant;

/** A token looked up by hash for authentication, joined with its user. */
public record TokenPrincipal(String tokenId, Instant expiresAt, String accountId, String userId, String userName,
                             String userEmail, UserRole role, boolean serviceUser, boolean blocked) {
}

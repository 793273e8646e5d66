package dev.tern.query.users;

import java.time.Instant;

public record TokenView(String id, String accountId, String userId, String name, Instant expiresAt, String createdBy,
                        Instant createdAt, Instant lastUsed) {
}

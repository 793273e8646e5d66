package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A personal access token was issued; only the SHA-256 hash of the token is kept. */
public record PersonalAccessTokenCreated(String accountId, String tokenId, String userId, String name, String tokenHash, Instant expiresAt, String createdBy, Instant createdAt) implements AccountEvent {
}

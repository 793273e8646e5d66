package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Issue a token for a user; the caller generated the token and passes only its hash. */
public record CreatePersonalAccessToken(String accountId, String tokenId, String userId, String name, String tokenHash, Instant expiresAt, String actingUserId) implements AccountCommand {
}

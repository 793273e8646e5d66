package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Delete one of a user's tokens. */
public record DeletePersonalAccessToken(String accountId, String userId, String tokenId, String actingUserId) implements AccountCommand {
}

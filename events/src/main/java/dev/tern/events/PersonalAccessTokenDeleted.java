package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A personal access token was deleted and stops working. */
public record PersonalAccessTokenDeleted(String accountId, String tokenId, String userId) implements AccountEvent {
}

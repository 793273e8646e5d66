package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A user left the account; its tokens went with it. */
public record UserDeleted(String accountId, String userId) implements AccountEvent {
}

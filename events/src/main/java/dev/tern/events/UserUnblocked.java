package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A blocked user was let back in. */
public record UserUnblocked(String accountId, String userId) implements AccountEvent {
}

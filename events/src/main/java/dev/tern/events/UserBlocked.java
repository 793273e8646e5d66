package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A user was blocked: its tokens stop working. */
public record UserBlocked(String accountId, String userId) implements AccountEvent {
}

package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A setup key was deleted. */
public record SetupKeyDeleted(String accountId, String setupKeyId) implements AccountEvent {
}

package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A group was deleted. */
public record GroupDeleted(String accountId, String groupId, String name) implements AccountEvent {
}

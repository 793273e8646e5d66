package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A group got a new name. */
public record GroupRenamed(String accountId, String groupId, String oldName, String newName) implements AccountEvent {
}

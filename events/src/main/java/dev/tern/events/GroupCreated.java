package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A group was created (the built-in All group is created with the account). */
public record GroupCreated(String accountId, String groupId, String name, GroupIssuer issued) implements AccountEvent {
}

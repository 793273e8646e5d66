package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** The groups a setup key puts new peers in changed. */
public record SetupKeyAutoGroupsChanged(String accountId, String setupKeyId, List<String> autoGroups, List<String> added, List<String> removed) implements AccountEvent {
}

package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** The groups a user's new peers join changed. */
public record UserAutoGroupsChanged(String accountId, String userId, List<String> autoGroups, List<String> added, List<String> removed) implements AccountEvent {
}

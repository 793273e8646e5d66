package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** A setup key was created; only the SHA-256 hash of the key is kept, plus a short prefix for display. expiresAt null means it never expires; usageLimit 0 means unlimited. */
public record SetupKeyCreated(String accountId, String setupKeyId, String name, SetupKeyType type, String keyHash, String keyPrefix, Instant expiresAt, int usageLimit, List<String> autoGroups, boolean ephemeral, boolean allowExtraDnsLabels, Instant createdAt) implements AccountEvent {
}

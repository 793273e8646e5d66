package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Create a setup key; the caller generated the key and passes only its hash and display prefix. expiresAt null: never; usageLimit 0: unlimited. */
public record CreateSetupKey(String accountId, String setupKeyId, String name, SetupKeyType type, String keyHash, String keyPrefix, Instant expiresAt, int usageLimit, List<String> autoGroups, boolean ephemeral, boolean allowExtraDnsLabels) implements AccountCommand {
}

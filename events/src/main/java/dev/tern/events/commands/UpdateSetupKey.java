package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Revoke a setup key and/or replace its auto-groups (NetBird's PUT /api/setup-keys/{id}); a revoked key cannot be un-revoked. */
public record UpdateSetupKey(String accountId, String setupKeyId, boolean revoked, List<String> autoGroups) implements AccountCommand {
}

package dev.tern.query.setupkeys;

import dev.tern.events.values.SetupKeyType;
import java.time.Instant;
import java.util.List;

/** A setup key as stored: the secret itself is never here, only {@code keyPrefix} for display. */
public record SetupKeyView(String id, String accountId, String name, SetupKeyType type, String keyPrefix,
                           Instant expiresAt, boolean revoked, int usedTimes, Instant lastUsed, List<String> autoGroups,
                           Instant updatedAt, int usageLimit, boolean ephemeral, boolean allowExtraDnsLabels) {

    /** NetBird's state: revoked, expired, overused, else valid. */
    public String state(Instant now) {
        if (revoked) {
            return "revoked";
        }
        if (expiresAt != null && !now.isBefore(expiresAt)) {
            return "expired";
        }
        int limit = type == SetupKeyType.ONE_OFF ? 1 : usageLimit;
        if (limit > 0 && usedTimes >= limit) {
            return "overused";
        }
        return "valid";
    }
}

package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** An access policy was deleted. */
public record PolicyDeleted(String accountId, String policyId, String name) implements AccountEvent {
}

package dev.tern.events;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** An access policy was created. */
public record PolicyCreated(String accountId, String policyId, PolicyDefinition definition) implements AccountEvent {
}

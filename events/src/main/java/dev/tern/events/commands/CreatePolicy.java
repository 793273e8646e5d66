package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Create an access policy. */
public record CreatePolicy(String accountId, String policyId, PolicyDefinition definition) implements AccountCommand {
}

package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Replace an access policy's definition. */
public record UpdatePolicy(String accountId, String policyId, PolicyDefinition definition) implements AccountCommand {
}

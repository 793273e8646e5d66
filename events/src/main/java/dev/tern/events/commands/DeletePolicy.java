package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Delete an access policy. */
public record DeletePolicy(String accountId, String policyId) implements AccountCommand {
}

package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Delete a setup key. */
public record DeleteSetupKey(String accountId, String setupKeyId) implements AccountCommand {
}

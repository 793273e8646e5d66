package dev.tern.events.commands;

import dev.tern.events.values.*;
import java.time.Instant;
import java.util.List;

/** Remove a user from the account. */
public record DeleteUser(String accountId, String userId, String actingUserId) implements AccountCommand {
}

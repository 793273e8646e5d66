package dev.tern.events.commands;

import dev.tern.events.values.JwtGroupSettings;

/** Change the account's JWT group settings. */
public record UpdateJwtGroupSettings(String accountId, JwtGroupSettings settings, String actingUserId)
        implements AccountCommand {
}

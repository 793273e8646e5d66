package dev.tern.events.commands;

import dev.tern.events.values.AccountSettings;

/** Replace the account's settings (NetBird's PUT /api/accounts/{id}); owners and admins only. */
public record UpdateAccountSettings(String accountId, AccountSettings settings, String actingUserId)
        implements AccountCommand {
}

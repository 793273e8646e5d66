package dev.tern.events;

import dev.tern.events.values.AccountSettings;

/** The account's settings changed from {@code before} to {@code after} (both whole, so the audit can tell what). */
public record AccountSettingsUpdated(String accountId, AccountSettings before, AccountSettings after)
        implements AccountEvent {
}

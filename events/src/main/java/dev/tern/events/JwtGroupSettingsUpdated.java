package dev.tern.events;

import dev.tern.events.values.JwtGroupSettings;

/** The account's JWT group settings changed ({@code before} is null for the first change after the defaults). */
public record JwtGroupSettingsUpdated(String accountId, JwtGroupSettings before, JwtGroupSettings after)
        implements AccountEvent {
}

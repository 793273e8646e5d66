package dev.tern.events.commands;

/** Remove an identity provider. */
public record DeleteIdentityProvider(String accountId, String providerId, String actingUserId)
        implements AccountCommand {
}

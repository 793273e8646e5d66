package dev.tern.events.commands;

/** Replace an identity provider's configuration; a null {@code sealedClientSecret} keeps the stored secret. */
public record UpdateIdentityProvider(String accountId, String providerId, String type, String name, String issuer,
                                     String clientId, String sealedClientSecret, String actingUserId)
        implements AccountCommand {
    @Override
    public String toString() {
        return "UpdateIdentityProvider[" + accountId + ", " + providerId + ", " + name + ", " + issuer + "]";
    }
}

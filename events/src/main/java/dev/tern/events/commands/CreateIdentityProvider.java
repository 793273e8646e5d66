package dev.tern.events.commands;

/** Configure an external OpenID Provider; the api has fetched its discovery document and sealed the secret. */
public record CreateIdentityProvider(String accountId, String providerId, String type, String name, String issuer,
                                     String clientId, String sealedClientSecret, String actingUserId)
        implements AccountCommand {
    @Override
    public String toString() {
        return "CreateIdentityProvider[" + accountId + ", " + providerId + ", " + name + ", " + issuer + "]";
    }
}

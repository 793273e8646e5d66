package dev.tern.events;

/** An identity provider's configuration after a change: every field as it now is (the secret sealed, as on create). */
public record IdentityProviderUpdated(String accountId, String providerId, String type, String name, String issuer,
                                      String clientId, String sealedClientSecret) implements AccountEvent {
    @Override
    public String toString() {
        return "IdentityProviderUpdated[" + accountId + ", " + providerId + ", " + name + ", " + issuer + "]";
    }
}

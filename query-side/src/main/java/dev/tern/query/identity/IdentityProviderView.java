package dev.tern.query.identity;

/** An identity provider as stored: the client secret sealed (never in the clear), null when none was given. */
public record IdentityProviderView(String id, String accountId, String type, String name, String issuer,
                                   String clientId, String sealedClientSecret) {
    @Override
    public String toString() {
        return "IdentityProviderView[" + id + ", " + name + ", " + issuer + "]";
    }
}

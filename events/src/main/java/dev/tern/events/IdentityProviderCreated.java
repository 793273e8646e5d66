package dev.tern.events;

/**
 * An external OpenID Provider was configured for sign-in. {@code sealedClientSecret} is the client secret encrypted
 * with AES-GCM under the server's {@code TERN_ENCRYPTION_KEY} (null when none was given): the store never holds it
 * in the clear.
 */
public record IdentityProviderCreated(String accountId, String providerId, String type, String name, String issuer,
                                      String clientId, String sealedClientSecret) implements AccountEvent {
    @Override
    public String toString() {
        return "IdentityProviderCreated[" + accountId + ", " + providerId + ", " + name + ", " + issuer + "]";
    }
}

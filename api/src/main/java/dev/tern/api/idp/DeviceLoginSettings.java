package dev.tern.api.idp;

import java.util.List;
import java.util.function.Supplier;

/**
 * How a command-line client signs in at the embedded provider, as NetBird's client asks for it over gRPC
 * (GetDeviceAuthorizationFlow, GetPKCEAuthorizationFlow): the built-in CLI client, the audience of the access
 * token it must send as Login's JWT, and the provider's endpoints.
 *
 * @param publicUrlConfigured whether {@code TERN_REST_URL} is set; without it the endpoints name {@code localhost},
 *                            which only a client on this host can reach
 */
public record DeviceLoginSettings(String clientId, Supplier<String> issuer, boolean publicUrlConfigured) {
    /**
     * The device flow's scopes: Spring Authorization Server refuses {@code openid} there (no ID token from a device
     * code), and NetBird's client turns an empty scope into {@code openid}, so the scope must be named.
     */
    public static final String DEVICE_SCOPE = "profile email";
    /** The browser flow's scopes. */
    public static final String PKCE_SCOPE = "openid profile email";
    /**
     * Where NetBird's client listens for the browser's redirect (it takes the first free port); NetBird's own
     * embedded IdP registers exactly these for its CLI client.
     */
    public static final List<String> PKCE_REDIRECT_URIS = List.of("http://localhost:53000/", "http://localhost:54000/");

    /** The {@code aud} of the embedded provider's access tokens: the client checks the token it gets against it. */
    public String audience() {
        return EmbeddedProvider.AUDIENCE;
    }

    public String deviceAuthorizationEndpoint() {
        return issuer.get() + "/device_authorization";
    }

    public String tokenEndpoint() {
        return issuer.get() + "/token";
    }

    public String authorizationEndpoint() {
        return issuer.get() + "/authorize";
    }
}

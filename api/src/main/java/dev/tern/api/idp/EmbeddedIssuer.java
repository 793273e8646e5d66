package dev.tern.api.idp;

import com.nimbusds.jose.jwk.JWKSet;

/** The embedded OpenID Provider as REST's token verification sees it: who it is and the keys it signs with now. */
public interface EmbeddedIssuer {
    /** The issuer URL, e.g. {@code https://tern.example/oauth2}: the {@code iss} of every token it signs. */
    String issuer();

    /** The {@code aud} its access tokens carry for Tern's API. */
    String audience();

    /** Its public signing keys (a rotated-out key stays here until the tokens it signed have expired). */
    JWKSet publicKeys();
}

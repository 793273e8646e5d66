package dev.tern.query.users;

import java.util.Optional;

/** What the API's token authentication reads: a personal access token by its hash, joined with its user. */
public interface TokenAuthenticationReads {
    /** The token with this SHA-256 hash, with its user, if the token exists (expired included). */
    Optional<TokenPrincipal> findTokenByHash(String tokenHash);
}

package dev.tern.query.setupkeys;

import java.util.Optional;

/** What a peer's registration with a setup key reads before it sends the command. */
public interface RegistrationReads {
    /** The account that owns the setup key with this SHA-256 hash. */
    Optional<String> findAccountBySetupKeyHash(String keyHash);
}

package dev.tern.api.secrets;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;
import dev.tern.query.identity.IdentityProviderReads;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The server's {@link SecretBox}, when {@code TERN_ENCRYPTION_KEY} is set. Checked once at start-up against what is
 * stored: a server holding sealed client secrets refuses to start without the key, or with a key that does not
 * open them, in one line (a {@link StartupFailure}) rather than failing every sign-in later.
 */
@Component
public class SecretsAtRest {
    private final Optional<SecretBox> box;

    @Autowired
    SecretsAtRest(Environment environment, IdentityProviderReads stored) {
        this(TernSettings.encryptionKey(System.getenv(), environment::getProperty),
                stored.anySealedSecret().map(e -> new StoredSecret(e.getKey(), e.getValue())));
    }

    SecretsAtRest(Optional<SecretBox> box, Optional<StoredSecret> stored) {
        this.box = box;
        check(box, stored);
    }

    /** One stored secret with the id it was sealed for. */
    public record StoredSecret(String ownerId, String sealed) {
        @Override
        public String toString() {
            return "StoredSecret[" + ownerId + "]";
        }
    }

    static void check(Optional<SecretBox> box, Optional<StoredSecret> stored) {
        if (stored.isEmpty()) {
            return;
        }
        if (box.isEmpty()) {
            throw new StartupFailure(SecretBox.VARIABLE + " is not set, but identity providers' client secrets are"
                    + " stored encrypted with it: start with the key they were stored with");
        }
        try {
            box.get().open(stored.get().sealed(), stored.get().ownerId());
        } catch (SecretBox.SecretUnreadableException e) {
            throw new StartupFailure(SecretBox.VARIABLE + " does not open the stored identity providers' client"
                    + " secrets (" + e.getMessage() + "): start with the key they were stored with");
        }
    }

    /** The box, or empty when no key is configured (then no client secret can be stored). */
    public Optional<SecretBox> box() {
        return box;
    }
}

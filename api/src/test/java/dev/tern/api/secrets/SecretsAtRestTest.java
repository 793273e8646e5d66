package dev.tern.api.secrets;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.StartupFailure;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Start-up against what is stored: sealed client secrets need the key they were sealed with. */
class SecretsAtRestTest {
    @Test
    void withNothingStoredTheKeyIsOptional() {
        assertThatCode(() -> new SecretsAtRest(Optional.empty(), Optional.empty())).doesNotThrowAnyException();
    }

    @Test
    void aStoredSecretWithoutTheKeyRefusesToStartInOneLine() {
        SecretBox box = SecretBox.fromBase64(SecretBoxTest.randomKey());
        SecretsAtRest.StoredSecret stored = new SecretsAtRest.StoredSecret("idp1", box.seal("s3cret", "idp1"));

        assertThatThrownBy(() -> new SecretsAtRest(Optional.empty(), Optional.of(stored)))
                .isInstanceOf(StartupFailure.class)
                .hasMessage("TERN_ENCRYPTION_KEY is not set, but identity providers' client secrets are stored"
                        + " encrypted with it: start with the key they were stored with");
    }

    @Test
    void aStoredSecretWithAnotherKeyRefusesToStart() {
        SecretBox box = SecretBox.fromBase64(SecretBoxTest.randomKey());
        SecretsAtRest.StoredSecret stored = new SecretsAtRest.StoredSecret("idp1", box.seal("s3cret", "idp1"));
        Optional<SecretBox> other = Optional.of(SecretBox.fromBase64(SecretBoxTest.randomKey()));

        assertThatThrownBy(() -> new SecretsAtRest(other, Optional.of(stored)))
                .isInstanceOf(StartupFailure.class)
                .hasMessageStartingWith("TERN_ENCRYPTION_KEY does not open the stored identity providers' client")
                .hasMessageNotContaining("\n");
        assertThatCode(() -> new SecretsAtRest(Optional.of(box), Optional.of(stored))).doesNotThrowAnyException();
    }
}

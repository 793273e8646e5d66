package dev.tern.api.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
    static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    @Test
    void aSealedSecretOpensWithTheSameKeyForTheSameOwnerOnly() {
        SecretBox box = SecretBox.fromBase64(randomKey());

        String sealed = box.seal("client-secret", "idp1");

        assertThat(sealed).startsWith("v1:").doesNotContain("client-secret");
        assertThat(box.seal("client-secret", "idp1")).as("a fresh nonce per seal").isNotEqualTo(sealed);
        assertThat(box.open(sealed, "idp1")).isEqualTo("client-secret");
        assertThatThrownBy(() -> box.open(sealed, "idp2")).isInstanceOf(SecretBox.SecretUnreadableException.class);
        assertThatThrownBy(() -> SecretBox.fromBase64(randomKey()).open(sealed, "idp1"))
                .isInstanceOf(SecretBox.SecretUnreadableException.class);
    }

    @Test
    void anAlteredSealedSecretDoesNotOpen() {
        SecretBox box = SecretBox.fromBase64(randomKey());
        byte[] raw = Base64.getDecoder().decode(box.seal("client-secret", "idp1").substring(3));
        raw[raw.length - 1] ^= 1;

        assertThatThrownBy(() -> box.open("v1:" + Base64.getEncoder().encodeToString(raw), "idp1"))
                .isInstanceOf(SecretBox.SecretUnreadableException.class);
    }

    @Test
    void aKeyThatIsNot32BytesOfBase64IsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> SecretBox.fromBase64("not base64 at all!"))
                .hasMessageContaining("TERN_ENCRYPTION_KEY is not base64").hasMessageNotContaining("at all");
        assertThatThrownBy(() -> SecretBox.fromBase64(Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("must be 32 bytes").hasMessageContaining("not 16 bytes");
        assertThat(SecretBox.fromBase64(randomKey()).toString()).doesNotContain("=");
    }
}

package dev.tern.api.secrets;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Secrets at rest (identity providers' client secrets): AES-256-GCM under {@code TERN_ENCRYPTION_KEY}, a fresh
 * 96-bit nonce per seal, and the owner's id as associated data, so a sealed value moved to another provider does
 * not open. Sealed text is {@code v1:} + base64(nonce ‖ ciphertext ‖ tag). The key never leaves this object.
 */
public final class SecretBox {
    public static final String VARIABLE = "TERN_ENCRYPTION_KEY";
    static final String VERSION = "v1:";
    static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private SecretBox(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * The box for a {@code TERN_ENCRYPTION_KEY} value: base64 of 32 random bytes ({@code openssl rand -base64 32}).
     *
     * @throws IllegalArgumentException with a one-line reason that never repeats the value
     */
    public static SecretBox fromBase64(String value) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(VARIABLE + " is not base64: give 32 random bytes in base64, e.g. the"
                    + " output of 'openssl rand -base64 32'");
        }
        if (raw.length != KEY_BYTES) {
            throw new IllegalArgumentException(VARIABLE + " must be 32 bytes (AES-256) in base64, not " + raw.length
                    + " bytes: e.g. the output of 'openssl rand -base64 32'");
        }
        return new SecretBox(raw);
    }

    public String seal(String secret, String ownerId) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, ownerId);
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return VERSION + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /** The secret sealed for {@code ownerId}; fails when the key is another one or the text was altered. */
    public String open(String sealed, String ownerId) {
        if (sealed == null || !sealed.startsWith(VERSION)) {
            throw new SecretUnreadableException("not a sealed secret of this version");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
        } catch (IllegalArgumentException e) {
            throw new SecretUnreadableException("sealed secret is not base64");
        }
        if (raw.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SecretUnreadableException("sealed secret is too short");
        }
        byte[] nonce = java.util.Arrays.copyOf(raw, NONCE_BYTES);
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, nonce, ownerId);
            return new String(cipher.doFinal(raw, NONCE_BYTES, raw.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new SecretUnreadableException("the key does not open it (another key, or altered)");
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String ownerId) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(ownerId.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }

    @Override
    public String toString() {
        return "SecretBox[key hidden]";
    }

    /** A sealed secret that this key cannot open. */
    public static final class SecretUnreadableException extends RuntimeException {
        SecretUnreadableException(String message) {
            super(message, null, false, false);
        }
    }
}

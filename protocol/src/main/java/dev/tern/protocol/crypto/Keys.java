package dev.tern.protocol.crypto;

import java.util.Base64;

/** Parsing of WireGuard-format (base64, 32-byte) keys. */
public final class Keys {
    public static final int KEY_BYTES = 32;

    private Keys() {
    }

    /**
     * Decodes a base64 WireGuard key.
     *
     * @throws NaclBoxException when the text is not base64 or not 32 bytes; the text itself is not echoed,
     *                          since it may be a private key
     */
    public static byte[] decode(String base64Key, String what) {
        if (base64Key == null || base64Key.isEmpty()) {
            throw new NaclBoxException(what + " is missing");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64Key.trim());
        } catch (IllegalArgumentException e) {
            throw new NaclBoxException(what + " is not valid base64");
        }
        if (key.length != KEY_BYTES) {
            throw new NaclBoxException(what + " must be " + KEY_BYTES + " bytes, got " + key.length);
        }
        return key;
    }

    public static String encode(byte[] key) {
        requireKeyLength(key, "key");
        return Base64.getEncoder().encodeToString(key);
    }

    static void requireKeyLength(byte[] key, String what) {
        if (key == null || key.length != KEY_BYTES) {
            throw new NaclBoxException(what + " must be " + KEY_BYTES + " bytes");
        }
    }
}

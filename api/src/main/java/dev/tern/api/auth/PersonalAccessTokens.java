package dev.tern.api.auth;

import dev.tern.events.values.Secrets;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.zip.CRC32;

/**
 * NetBird's personal access token format: {@code nbp_} + 30 random base62 characters + the CRC32 (IEEE) of
 * those 30 characters in base62, left-padded with '0' to 6 characters — 40 characters in all. The checksum
 * lets us reject typos and garbage without a database look-up; only the SHA-256 hash is ever stored.
 */
public final class PersonalAccessTokens {
    public static final String PREFIX = "nbp_";
    static final int SECRET_LENGTH = 30;
    static final int CHECKSUM_LENGTH = 6;
    public static final int LENGTH = PREFIX.length() + SECRET_LENGTH + CHECKSUM_LENGTH;

    private static final SecureRandom RANDOM = new SecureRandom();

    private PersonalAccessTokens() {
    }

    /** A freshly minted token with the hash to store; the plain text goes to the client once. */
    public record Minted(String plainToken, String hash) {
        @Override
        public String toString() {
            return "Minted[hash=" + hash + "]";
        }
    }

    public static Minted mint() {
        StringBuilder secret = new StringBuilder(SECRET_LENGTH);
        for (int i = 0; i < SECRET_LENGTH; i++) {
            secret.append(Base62.ALPHABET.charAt(RANDOM.nextInt(62)));
        }
        String token = PREFIX + secret + checksum(secret.toString());
        return new Minted(token, Secrets.sha256Hex(token));
    }

    /** The 6-character padded checksum NetBird appends to a secret. */
    static String checksum(String secret) {
        CRC32 crc = new CRC32();
        crc.update(secret.getBytes(StandardCharsets.UTF_8));
        String encoded = Base62.encode(crc.getValue());
        return "0".repeat(CHECKSUM_LENGTH - encoded.length()) + encoded;
    }

    /** Prefix, length, alphabet and checksum all right; says nothing about whether the token exists. */
    public static boolean isWellFormed(String token) {
        if (token == null || token.length() != LENGTH || !token.startsWith(PREFIX)) {
            return false;
        }
        String secret = token.substring(PREFIX.length(), PREFIX.length() + SECRET_LENGTH);
        for (int i = 0; i < secret.length(); i++) {
            if (Base62.ALPHABET.indexOf(secret.charAt(i)) < 0) {
                return false;
            }
        }
        long expected = Base62.decode(token.substring(PREFIX.length() + SECRET_LENGTH));
        CRC32 crc = new CRC32();
        crc.update(secret.getBytes(StandardCharsets.UTF_8));
        return expected == crc.getValue();
    }
}

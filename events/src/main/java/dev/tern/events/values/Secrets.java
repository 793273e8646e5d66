package dev.tern.events.values;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Secrets (setup keys, tokens) are stored only as SHA-256 hashes; this is the one place that hashes them. */
public final class Secrets {
    private Secrets() {
    }

    /**
     * Setup keys are upper-case UUIDs, matched whatever the case they arrive in: NetBird's client parses the key as a
     * UUID and sends Go's {@code uuid.String()}, which is lower case (NetBird's server upper-cases before hashing).
     * Both the key's creation and every registration hash through here, so the two can never disagree.
     */
    public static String setupKeyHash(String plainSetupKey) {
        return sha256Hex(plainSetupKey.trim().toUpperCase(Locale.ROOT));
    }

    public static String sha256Hex(String secret) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}

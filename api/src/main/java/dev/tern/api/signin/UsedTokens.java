package dev.tern.api.signin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokens seen once, each remembered (as its SHA-256, never the token) until it expires: after that the token is
 * refused anyway. Only verified tokens get here, so a stranger cannot fill it; it is bounded all the same: at
 * {@code capacity} the expired entries go, then the oldest (a replay of such a token within its lifetime is the
 * residual risk; at 100 bytes an entry the default bound is about 10 MB).
 */
final class UsedTokens {
    static final int CAPACITY = 100_000;

    private final Map<String, Instant> expiryByDigest = new LinkedHashMap<>();
    private final int capacity;
    private final Clock clock;

    UsedTokens(int capacity, Clock clock) {
        this.capacity = capacity;
        this.clock = clock;
    }

    /** Whether this is the token's first use; remembers it until {@code expiresAt}. */
    synchronized boolean firstUse(String token, Instant expiresAt) {
        Instant now = clock.instant();
        String digest = digest(token);
        Instant known = expiryByDigest.get(digest);
        if (known != null && known.isAfter(now)) {
            return false;
        }
        if (expiryByDigest.size() >= capacity) {
            expiryByDigest.values().removeIf(expiry -> !expiry.isAfter(now));
            Iterator<String> oldest = expiryByDigest.keySet().iterator();
            while (expiryByDigest.size() >= capacity && oldest.hasNext()) {
                oldest.next();
                oldest.remove();
            }
        }
        expiryByDigest.put(digest, expiresAt);
        return true;
    }

    /** Forgets the token: its use did not count. */
    synchronized void forget(String token) {
        expiryByDigest.remove(digest(token));
    }

    synchronized int size() {
        return expiryByDigest.size();
    }

    private static String digest(String token) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

package dev.tern.agent.ice;

import java.security.SecureRandom;

/**
 * One side's ICE credentials as NetBird's OFFER and ANSWER carry them: the body payload {@code "ufrag:pwd"}, which
 * NetBird's client splits at the colon and rejects unless that gives exactly two parts.
 */
public record IceCredentials(String ufrag, String password) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public IceCredentials {
        requireIceChars("ufrag", ufrag);
        requireIceChars("password", password);
    }

    /**
     * Fresh random credentials, for an OFFER/ANSWER that no ICE session of ours stands behind (the tern endpoint
     * exchange): NetBird's client reads them like any others, RFC 8445's lengths.
     */
    public static IceCredentials random() {
        return new IceCredentials(randomToken(8), randomToken(24));
    }

    private static String randomToken(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** Parses an OFFER/ANSWER payload; {@link IllegalArgumentException} when it is not {@code ufrag:pwd}. */
    public static IceCredentials parse(String payload) {
        String[] parts = payload == null ? new String[0] : payload.split(":", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("ICE credentials must be ufrag:pwd");
        }
        return new IceCredentials(parts[0], parts[1]);
    }

    public String payload() {
        return ufrag + ":" + password;
    }

    /** The password stays out of logs and exception messages. */
    @Override
    public String toString() {
        return "IceCredentials[ufrag=" + ufrag + "]";
    }

    // RFC 8445 asks for at least 24 random bits in a ufrag and 128 in a password, but ice4j writes them in base 32
    // without leading zeros and pion checks only that they are present: refuse only what cannot be a credential
    private static void requireIceChars(String what, String value) {
        if (value == null || value.isEmpty() || value.length() > 256) {
            throw new IllegalArgumentException("ICE " + what + " must be 1 to 256 characters");
        }
        for (int i = 0; i < value.length(); i++) {
            if (ICE_CHARS.indexOf(value.charAt(i)) < 0) {
                throw new IllegalArgumentException("ICE " + what + " holds a character outside ALPHA / DIGIT / + /");
            }
        }
    }
}

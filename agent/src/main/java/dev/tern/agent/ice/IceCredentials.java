package dev.tern.agent.ice;

/**
 * One side's ICE credentials as NetBird's OFFER and ANSWER carry them: the body payload {@code "ufrag:pwd"}, which
 * NetBird's client splits at the colon and rejects unless that gives exactly two parts.
 */
public record IceCredentials(String ufrag, String password) {
    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public IceCredentials {
        requireIceChars("ufrag", ufrag);
        requireIceChars("password", password);
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

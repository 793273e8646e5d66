package dev.tern.api.auth;

/**
 * NetBird's base62 (digits, then upper case, then lower case) for the CRC32 checksum inside a PAT. Kept
 * byte-for-byte compatible with netbird/base62 so tokens minted by either side verify on the other.
 */
final class Base62 {
    static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private Base62() {
    }

    /** Encodes an unsigned 32-bit value (passed as long) without padding; 0 is "0". */
    static String encode(long unsigned32) {
        if (unsigned32 < 0 || unsigned32 > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not an unsigned 32-bit value: " + unsigned32);
        }
        if (unsigned32 == 0) {
            return "0";
        }
        StringBuilder out = new StringBuilder();
        long n = unsigned32;
        while (n > 0) {
            out.append(ALPHABET.charAt((int) (n % 62)));
            n /= 62;
        }
        return out.reverse().toString();
    }

    /** Decodes to an unsigned 32-bit value; -1 for an empty string, a foreign character or an overflow. */
    static long decode(String text) {
        if (text == null || text.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = ALPHABET.indexOf(text.charAt(i));
            if (digit < 0) {
                return -1;
            }
            value = value * 62 + digit;
            if (value > 0xFFFF_FFFFL) {
                return -1;
            }
        }
        return value;
    }
}

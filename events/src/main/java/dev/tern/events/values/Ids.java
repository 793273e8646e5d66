package dev.tern.events.values;

import java.security.SecureRandom;

/**
 * New identifiers in NetBird's xid shape: 20 lower-case base32hex characters from 12 bytes (4 bytes of seconds,
 * 8 random bytes), so ids sort roughly by creation time and look like the ones NetBird tooling expects.
 */
public final class Ids {
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuv".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String newId() {
        byte[] raw = new byte[12];
        int seconds = (int) (System.currentTimeMillis() / 1000);
        raw[0] = (byte) (seconds >>> 24);
        raw[1] = (byte) (seconds >>> 16);
        raw[2] = (byte) (seconds >>> 8);
        raw[3] = (byte) seconds;
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        System.arraycopy(random, 0, raw, 4, 8);
        return encode(raw);
    }

    static String encode(byte[] raw) {
        StringBuilder out = new StringBuilder(20);
        int buffer = 0;
        int bits = 0;
        for (byte b : raw) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }
}

package dev.tern.events.values;

/**
 * Text a device reports about itself (hostname, OS, kernel, versions, serial number). It arrives from machines Tern
 * does not control and ends up in PostgreSQL text and jsonb columns, the audit trail, logs and UIs, none of which
 * can hold a NUL or should show a line break, a bidi override or half a surrogate pair. This class says which
 * characters are unsafe and either refuses them ({@link #requireSafe}) or removes them ({@link #clean}).
 */
public final class DeviceText {
    /**
     * Longest optional metadata value kept (in chars). Real values are far shorter: the longest seen in practice are
     * kernel build strings ({@code #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)}) and Windows edition names.
     */
    public static final int MAX_META_FIELD = 256;

    private DeviceText() {
    }

    /**
     * Control characters (C0, DEL, C1: NUL, line breaks, escape sequences), line and paragraph separators, lone
     * surrogates, and the bidirectional overrides and isolates (which make a name display as something else).
     */
    public static boolean isUnsafe(int codePoint) {
        int type = Character.getType(codePoint);
        return type == Character.CONTROL || type == Character.SURROGATE || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || (codePoint >= 0x202A && codePoint <= 0x202E)
                || (codePoint >= 0x2066 && codePoint <= 0x2069);
    }

    /** The first unsafe code point's index in {@code value}, or -1. */
    public static int firstUnsafe(String value) {
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            if (isUnsafe(codePoint)) {
                return i;
            }
            i += Character.charCount(codePoint);
        }
        return -1;
    }

    /**
     * The value itself when it holds no unsafe character.
     *
     * @throws InvalidValueException naming the field, the character (as U+XXXX, never the value: it may be
     *                               anything) and its position
     */
    public static String requireSafe(String value, String what) {
        if (value == null) {
            return null;
        }
        int at = firstUnsafe(value);
        if (at >= 0) {
            throw new InvalidValueException(what + " contains the control character "
                    + String.format("U+%04X", value.codePointAt(at)) + " at position " + at
                    + "; control characters, line breaks and bidi overrides are not allowed");
        }
        return value;
    }

    /**
     * The value without unsafe characters, trimmed, and cut to {@code maxLength} chars (never inside a surrogate
     * pair); null becomes "".
     */
    public static String clean(String value, int maxLength) {
        if (value == null) {
            return "";
        }
        String safe = value;
        if (firstUnsafe(value) >= 0) {
            StringBuilder out = new StringBuilder(value.length());
            value.codePoints().filter(c -> !isUnsafe(c)).forEach(out::appendCodePoint);
            safe = out.toString();
        }
        safe = safe.strip();
        if (safe.length() > maxLength) {
            int end = Character.isHighSurrogate(safe.charAt(maxLength - 1)) ? maxLength - 1 : maxLength;
            safe = safe.substring(0, end).strip();
        }
        return safe;
    }
}

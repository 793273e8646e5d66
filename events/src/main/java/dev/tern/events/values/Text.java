package dev.tern.events.values;

/**
 * The one rule every string from outside (REST bodies; device metadata may use it too) obeys before it can become
 * part of an event: well-formed Unicode (no unpaired UTF-16 surrogate, which PostgreSQL's UTF-8 cannot store and
 * the JDBC driver would silently turn into '?'), no control characters (NUL breaks PostgreSQL text, line breaks
 * and escape sequences forge log and audit lines), no bidirectional embedding/override/isolate characters (they
 * make a name display as something it is not), and a bounded length. Multi-line text (descriptions) may contain
 * tabs and line breaks, nothing else of the above.
 *
 * <p>Deliberately not applied in the compact constructors of event values: events already stored under older,
 * looser rules must still be readable.
 */
public final class Text {
    /** The longest string accepted anywhere; names, e-mails and ids have shorter limits of their own. */
    public static final int MAX_TEXT = 4096;

    private Text() {
    }

    /** Why {@code value} cannot be accepted as single-line text of at most {@code maxLength} chars, or null. */
    public static String problem(String value, int maxLength) {
        return problem(value, maxLength, false);
    }

    /**
     * Why {@code value} cannot be accepted, or null when it can (null itself is fine: presence is checked
     * elsewhere). The reason never quotes the value, which may be anything.
     */
    public static String problem(String value, int maxLength, boolean multiLine) {
        if (value == null) {
            return null;
        }
        if (value.length() > maxLength) {
            return "is longer than " + maxLength + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "is not valid Unicode (unpaired surrogate)";
            }
            if (Character.isLowSurrogate(c)) {
                return "is not valid Unicode (unpaired surrogate)";
            }
            if (c == 0) {
                return "must not contain NUL characters";
            }
            boolean lineBreakOrTab = c == '\n' || c == '\r' || c == '\t' || c == '\u2028' || c == '\u2029';
            if (lineBreakOrTab && multiLine) {
                continue;
            }
            if (Character.isISOControl(c) || lineBreakOrTab) {
                return "must not contain control characters or line breaks";
            }
            if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
                return "must not contain bidirectional override characters";
            }
        }
        return null;
    }

    /** {@code value} itself, or an {@link InvalidValueException} naming {@code what} and the reason. */
    public static String require(String value, String what, int maxLength) {
        String problem = problem(value, maxLength);
        if (problem != null) {
            throw new InvalidValueException(what + " " + problem);
        }
        return value;
    }
}

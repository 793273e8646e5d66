package dev.tern.events.values;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Domain names an admin gives for DNS (match domains, zone domains, record names, CNAME targets): letters, digits
 * and hyphens in labels of 1..63 characters, 253 at most in all, a trailing dot allowed, stored lower case without
 * it. Unicode names are taken in their punycode form, as NetBird does. No wildcards.
 */
public final class DnsNames {
    public static final int MAX_LENGTH = 253;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private DnsNames() {
    }

    /** The canonical form of {@code value} (lower case, punycode, no trailing dot); refuses anything else. */
    public static String domain(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new InvalidValueException(what + " must not be empty");
        }
        String name = value.trim();
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        try {
            name = IDN.toASCII(name, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new InvalidValueException(what + " '" + shown(value) + "' is not a valid domain name");
        }
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            throw new InvalidValueException(what + " '" + shown(value) + "' is not a valid domain name");
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                throw new InvalidValueException(what + " '" + shown(value) + "' is not a valid domain name");
            }
        }
        return name;
    }

    /** Whether {@code name} is {@code domain} itself or a name under it (both canonical). */
    public static boolean within(String name, String domain) {
        return name.equals(domain) || name.endsWith("." + domain);
    }

    private static String shown(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "..." : value;
    }
}

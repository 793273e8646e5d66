package dev.tern.events.values;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP address literals given as text: parsed without any name lookup, returned in canonical form. */
public final class IpLiterals {
    private static final String OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    private IpLiterals() {
    }

    public static String require(String value, String what) {
        String text = value == null ? "" : value.trim();
        if (isIpv4(text)) {
            return text;
        }
        if (isIpv6(text)) {
            try {
                // a literal with only hex digits, colons and dots: InetAddress parses it, it never resolves it
                return InetAddress.getByName(text).getHostAddress();
            } catch (UnknownHostException e) {
                // fall through to the refusal
            }
        }
        throw new InvalidValueException(what + " '" + (text.length() > 64 ? text.substring(0, 64) : text)
                + "' is not an IP address");
    }

    public static boolean isIpv4(String text) {
        return text != null && IPV4.matcher(text).matches();
    }

    public static boolean isIpv6(String text) {
        return text != null && text.contains(":") && text.length() <= 45 && IPV6_CHARS.matcher(text).matches()
                && parses(text);
    }

    private static boolean parses(String text) {
        try {
            return InetAddress.getByName(text) instanceof java.net.Inet6Address;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}

package dev.tern.events.values;

/** Dotted-quad IPv4 parsing without DNS lookups (InetAddress.getByName would resolve names). */
public final class Ipv4 {
    private Ipv4() {
    }

    public static int parse(String text, String what) {
        if (text == null) {
            throw new InvalidValueException(what + " is missing");
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new InvalidValueException(what + " '" + text + "' is not an IPv4 address");
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new InvalidValueException(what + " '" + text + "' is not an IPv4 address");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new InvalidValueException(what + " '" + text + "' is not an IPv4 address");
            }
            bits = (bits << 8) | octet;
        }
        return bits;
    }

    public static String format(int bits) {
        return ((bits >>> 24) & 0xff) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}

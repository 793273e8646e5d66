package dev.tern.events.values;

import java.util.Locale;

/**
 * One upstream DNS server of a nameserver group: an IP literal (v4 or v6), NetBird's type ("udp") and a port.
 * {@link #validated} checks new input; the constructor takes stored values as they are.
 */
public record NameServer(String ip, String nsType, int port) {
    public static final String UDP = "udp";

    /** This server with its address in canonical form; refuses anything that is not a server one can ask. */
    public NameServer validated() {
        String type = nsType == null ? "" : nsType.trim().toLowerCase(Locale.ROOT);
        if (!type.equals(UDP)) {
            throw new InvalidValueException("nameserver ns_type must be \"udp\"");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidValueException("nameserver port must be between 1 and 65535, not " + port);
        }
        return new NameServer(IpLiterals.require(ip, "nameserver ip"), type, port);
    }
}

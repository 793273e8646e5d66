package dev.tern.events.values;

import java.util.Locale;

/** One upstream DNS server of a nameserver group: an IP literal (v4 or v6), NetBird's type ("udp") and a port. */
public record NameServer(String ip, String nsType, int port) {
    public static final String UDP = "udp";

    public NameServer {
        ip = IpLiterals.require(ip, "nameserver ip");
        nsType = nsType == null ? "" : nsType.trim().toLowerCase(Locale.ROOT);
        if (!nsType.equals(UDP)) {
            throw new InvalidValueException("nameserver ns_type must be \"udp\", not \"" + nsType + "\"");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidValueException("nameserver port must be between 1 and 65535, not " + port);
        }
    }
}

package dev.tern.agent.ice;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One ICE candidate in the line form NetBird's client puts in a CANDIDATE body (pion's {@code Candidate.Marshal}:
 * {@code <foundation> <component> udp <priority> <address> <port> typ <type> [raddr <a> rport <p>] [ext...]}).
 * Parsing accepts the RFC 5245 {@code candidate:} prefix as pion does and ignores extensions; it refuses what
 * pion would not parse (a missing field, an unknown type, a port out of range) with {@link IllegalArgumentException}.
 */
public record IceCandidate(String foundation, int component, String transport, long priority, String address,
                           int port, String type, String relatedAddress, int relatedPort) {
    /** The candidate types of RFC 8445 in the words pion writes them. */
    public static final Set<String> TYPES = Set.of("host", "srflx", "prflx", "relay");

    public IceCandidate {
        Objects.requireNonNull(foundation, "foundation");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(address, "address");
        transport = transport.toLowerCase(Locale.ROOT);
        type = Objects.requireNonNull(type, "type").toLowerCase(Locale.ROOT);
        if (foundation.isEmpty() || foundation.length() > 32 || foundation.contains(" ")) {
            throw new IllegalArgumentException("bad ICE candidate foundation");
        }
        if (component < 1 || component > 256) {
            throw new IllegalArgumentException("bad ICE candidate component " + component);
        }
        if (priority < 0 || priority > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("bad ICE candidate priority " + priority);
        }
        if (address.isEmpty() || port < 0 || port > 65535) {
            throw new IllegalArgumentException("bad ICE candidate address " + address + " port " + port);
        }
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("unknown ICE candidate type " + type);
        }
        if (relatedAddress != null && (relatedPort < 0 || relatedPort > 65535)) {
            throw new IllegalArgumentException("bad ICE candidate related port " + relatedPort);
        }
    }

    public static IceCandidate parse(String line) {
        if (line == null) {
            throw new IllegalArgumentException("no ICE candidate");
        }
        String raw = line.strip();
        if (raw.startsWith("candidate:")) {
            raw = raw.substring("candidate:".length());
        }
        String[] t = raw.split(" +");
        if (t.length < 8 || !t[6].equals("typ")) {
            throw new IllegalArgumentException("ICE candidate needs foundation, component, transport, priority,"
                    + " address, port and typ");
        }
        String relatedAddress = null;
        int relatedPort = 0;
        for (int i = 8; i + 1 < t.length; i += 2) {
            switch (t[i]) {
                case "raddr" -> relatedAddress = t[i + 1];
                case "rport" -> relatedPort = smallNumber(t[i + 1], "rport");
                default -> {
                    // extensions (generation, network-id, tcptype ...) say nothing we use
                }
            }
        }
        return new IceCandidate(t[0], smallNumber(t[1], "component"), t[2], number(t[3], "priority"), t[4],
                smallNumber(t[5], "port"), t[7], relatedAddress, relatedPort);
    }

    /** The line as pion writes it (no {@code candidate:} prefix; NetBird's older clients parse that form too). */
    public String line() {
        String line = foundation + " " + component + " " + transport + " " + priority + " " + address + " " + port
                + " typ " + type;
        if (relatedAddress != null && !relatedAddress.isEmpty() && relatedPort != 0) {
            line += " raddr " + relatedAddress + " rport " + relatedPort;
        }
        return line;
    }

    public boolean isUdp() {
        return transport.equals("udp");
    }

    public boolean isRelay() {
        return type.equals("relay");
    }

    /** Component ids and ports: anything above 65535 is refused whole rather than cut to an int. */
    private static int smallNumber(String token, String what) {
        long value = number(token, what);
        if (value > 65535) {
            throw new IllegalArgumentException("ICE candidate " + what + " out of range");
        }
        return (int) value;
    }

    private static long number(String token, String what) {
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("ICE candidate " + what + " is not a number");
        }
    }
}

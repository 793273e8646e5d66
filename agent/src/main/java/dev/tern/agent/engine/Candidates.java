package dev.tern.agent.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Connection candidates in the ICE text form NetBird peers exchange over signal
 * ({@code candidate:<foundation> <component> udp <priority> <address> <port> typ host}). Tern has no ICE agent: a
 * candidate is the WireGuard listen endpoint itself, so the chosen candidate becomes the WireGuard peer endpoint.
 */
public final class Candidates {
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    /** A local IPv4 address with its on-link prefix. */
    public record LocalAddress(String address, int prefixLength) {
    }

    record Candidate(String address, int port) {
        String endpoint() {
            return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
        }
    }

    private Candidates() {
    }

    static String format(int index, String address, int port) {
        return "candidate:" + (index + 1) + " 1 udp " + (2130706431 - index) + " " + address + " " + port + " typ host";
    }

    /** Parses a candidate line; anything that is not an IP literal with a port (hostnames, mDNS) is skipped. */
    static Optional<Candidate> parse(String line) {
        if (line == null) {
            return Optional.empty();
        }
        String[] tokens = line.strip().split("\\s+");
        if (tokens.length < 6 || !tokens[2].equalsIgnoreCase("udp")) {
            return Optional.empty();
        }
        String address = tokens[4];
        int port;
        try {
            port = Integer.parseInt(tokens[5]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (port < 1 || port > 65535 || !isIpLiteral(address)) {
            return Optional.empty();
        }
        return Optional.of(new Candidate(address, port));
    }

    static boolean isIpLiteral(String address) {
        var m = IPV4.matcher(address);
        if (m.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (address.indexOf(':') >= 0 && address.matches("[0-9a-fA-F:.]+")) {
            try {
                InetAddress.getByName(address); // an IPv6 literal never triggers a DNS lookup
                return true;
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    /**
     * Picks the candidate to dial: one on a subnet we share beats one we would have to route to; among equals, the
     * order the peer listed them in wins.
     */
    static Optional<Candidate> choose(List<Candidate> candidates, List<LocalAddress> local) {
        for (Candidate candidate : candidates) {
            for (LocalAddress address : local) {
                if (sameSubnet(candidate.address(), address)) {
                    return Optional.of(candidate);
                }
            }
        }
        return candidates.stream().findFirst();
    }

    static boolean sameSubnet(String ip, LocalAddress local) {
        if (!IPV4.matcher(ip).matches() || !IPV4.matcher(local.address()).matches()) {
            return false;
        }
        int bits = local.prefixLength();
        if (bits <= 0 || bits > 32) {
            return false;
        }
        int mask = bits == 32 ? -1 : ~((1 << (32 - bits)) - 1);
        return (toInt(ip) & mask) == (toInt(local.address()) & mask);
    }

    private static int toInt(String ipv4) {
        String[] parts = ipv4.split("\\.");
        int value = 0;
        for (String part : parts) {
            value = (value << 8) | Integer.parseInt(part);
        }
        return value;
    }

    /** The host's up, non-loopback IPv4 addresses, excluding the mesh interface itself. */
    public static List<LocalAddress> localIpv4(String meshInterface) {
        List<LocalAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback() || nic.getName().equals(meshInterface)) {
                    continue;
                }
                for (InterfaceAddress address : nic.getInterfaceAddresses()) {
                    if (address.getAddress() instanceof Inet4Address v4 && !v4.isLinkLocalAddress()) {
                        out.add(new LocalAddress(v4.getHostAddress(), address.getNetworkPrefixLength()));
                    }
                }
            }
        } catch (SocketException e) {
            return List.of();
        }
        return out;
    }
}

package dev.tern.events.values;

import java.util.List;

/**
 * Which network an existing account may move to (NetBird's {@code settings.network_range}): IPv4 inside a private
 * (RFC 1918) or the CGNAT range (RFC 6598, where every account starts), from a /16 (Tern's largest account network)
 * down to a /28 (NetBird's smallest), with room for the account's peers plus half as many again and at least 10
 * addresses (NetBird's capacity rule). The REST edge checks it to answer 400 before anything is sent; the account
 * checks it again against its own peer count.
 */
public final class AccountNetworkRange {
    public static final int LARGEST_PREFIX = 16;
    public static final int SMALLEST_PREFIX = 28;
    /** NetBird's minimum number of addresses in a network range. */
    public static final int MIN_ADDRESSES = 10;
    public static final List<Cidr> ALLOWED_RANGES = List.of(new Cidr("10.0.0.0", 8), new Cidr("172.16.0.0", 12),
            new Cidr("192.168.0.0", 16), new Cidr("100.64.0.0", 10));

    private AccountNetworkRange() {
    }

    /**
     * The network {@code text} names in CIDR notation; host bits are cleared ({@code 10.1.2.3/16} is
     * {@code 10.1.0.0/16}), as NetBird takes a range.
     *
     * @throws InvalidValueException when it is no IPv4 CIDR
     */
    public static Cidr parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        int slash = trimmed.indexOf('/');
        if (slash < 0) {
            return Cidr.parse(trimmed); // refused with Cidr's own reason
        }
        // the prefix as Cidr checks it, then the address with its host bits cleared
        int prefix = Cidr.parse("0.0.0.0" + trimmed.substring(slash)).prefixLength();
        int bits = Ipv4.parse(trimmed.substring(0, slash), "network address");
        return new Cidr(Ipv4.format(bits & Cidr.mask(prefix)), prefix);
    }

    /** @throws InvalidValueException saying why {@code network} cannot hold an account of {@code peerCount} peers */
    public static Cidr checked(Cidr network, int peerCount) {
        if (network == null) {
            throw new InvalidValueException("network range is missing");
        }
        if (ALLOWED_RANGES.stream().noneMatch(range -> range.contains(network))) {
            throw new InvalidValueException("network range " + network + " must lie inside a private range"
                    + " (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or 100.64.0.0/10");
        }
        if (network.prefixLength() < LARGEST_PREFIX || network.prefixLength() > SMALLEST_PREFIX) {
            throw new InvalidValueException("network range " + network + " must be a /" + LARGEST_PREFIX + " to a /"
                    + SMALLEST_PREFIX);
        }
        long hosts = network.size() - 2;
        long required = Math.max(MIN_ADDRESSES, peerCount + peerCount / 2L);
        if (hosts < required) {
            throw new InvalidValueException("network range too small: need at least " + required + " addresses for "
                    + peerCount + " peers + buffer, but " + network + " provides " + hosts);
        }
        return network;
    }
}

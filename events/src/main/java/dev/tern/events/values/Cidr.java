package dev.tern.events.values;

/**
 * An IPv4 network in CIDR notation. The address must be the network address (no host bits set), as NetBird
 * and the kernel expect for routes and mesh ranges.
 */
public record Cidr(String network, int prefixLength) {
    public Cidr {
        int bits = Ipv4.parse(network, "network address");
        if (prefixLength < 0 || prefixLength > 32) {
            throw new InvalidValueException("prefix length " + prefixLength + " is outside 0..32");
        }
        if ((bits & ~mask(prefixLength)) != 0) {
            throw new InvalidValueException("'" + network + "/" + prefixLength + "' has host bits set");
        }
        network = Ipv4.format(bits);
    }

    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidValueException("CIDR is missing");
        }
        int slash = text.indexOf('/');
        if (slash < 0 || slash == text.length() - 1) {
            throw new InvalidValueException("'" + text + "' is not in CIDR notation (address/prefix)");
        }
        String prefix = text.substring(slash + 1).trim();
        if (!prefix.chars().allMatch(Character::isDigit) || prefix.length() > 2) {
            throw new InvalidValueException("'" + text + "' has an invalid prefix length");
        }
        return new Cidr(text.substring(0, slash).trim(), Integer.parseInt(prefix));
    }

    static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int networkBits() {
        return Ipv4.parse(network, "network address");
    }

    public long size() {
        return 1L << (32 - prefixLength);
    }

    public boolean contains(MeshIp ip) {
        return (ip.bits() & mask(prefixLength)) == networkBits();
    }

    public boolean contains(Cidr other) {
        return other.prefixLength >= prefixLength && (other.networkBits() & mask(prefixLength)) == networkBits();
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }
}

package dev.tern.events.values;

/** An IPv4 address inside an account's mesh network, in dotted form. */
public record MeshIp(String address) {
    public MeshIp {
        address = Ipv4.format(Ipv4.parse(address, "mesh IP"));
    }

    public static MeshIp of(int bits) {
        return new MeshIp(Ipv4.format(bits));
    }

    public int bits() {
        return Ipv4.parse(address, "mesh IP");
    }

    @Override
    public String toString() {
        return address;
    }
}

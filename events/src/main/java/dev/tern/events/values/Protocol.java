package dev.tern.events.values;

/** Network protocol a policy rule matches. */
public enum Protocol implements WireName {
    ALL("all"), TCP("tcp"), UDP("udp"), ICMP("icmp");

    private final String wireName;

    Protocol(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    public static Protocol parse(String text) {
        return WireName.parse(Protocol.class, text, "protocol");
    }
}

package dev.tern.events.values;

/** Who created a group. */
public enum GroupIssuer implements WireName {
    API("api"), INTEGRATION("integration"), JWT("jwt");

    private final String wireName;

    GroupIssuer(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    public static GroupIssuer parse(String text) {
        return WireName.parse(GroupIssuer.class, text, "group issuer");
    }
}

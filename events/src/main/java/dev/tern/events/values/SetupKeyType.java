package dev.tern.events.values;

/** One-off keys register one peer; reusable keys many, up to their usage limit. */
public enum SetupKeyType implements WireName {
    ONE_OFF("one-off"), REUSABLE("reusable");

    private final String wireName;

    SetupKeyType(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    public static SetupKeyType parse(String text) {
        return WireName.parse(SetupKeyType.class, text, "setup key type");
    }
}

package dev.tern.events.values;

/** What a user may do: owner and admin write, auditor reads everything, user reads its own peers. */
public enum UserRole implements WireName {
    OWNER("owner"), ADMIN("admin"), USER("user"), AUDITOR("auditor");

    private final String wireName;

    UserRole(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    public boolean canWrite() {
        return this == OWNER || this == ADMIN;
    }

    public boolean readsEverything() {
        return this != USER;
    }

    public static UserRole parse(String text) {
        return WireName.parse(UserRole.class, text, "user role");
    }
}

package dev.tern.events.values;

/** Why a peer's login lapsed: its last login is older than the login expiration, or it stayed away too long. */
public enum PeerExpiry implements WireName {
    LOGIN("login"), INACTIVITY("inactivity");

    private final String wireName;

    PeerExpiry(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }
}

package dev.tern.events;

/**
 * NetBird's built-in group that holds every peer implicitly. The account creates it with itself (a
 * {@link GroupCreated} named {@value #NAME}), and it is recognised by that name: the account's first group created
 * with it is the All group. Every fold that needs to know which group is All (the aggregate, the network graph,
 * the read model, point-in-time reads) asks {@link #isCreatedBy}, so they cannot disagree.
 */
public final class AllGroup {
    /** The built-in group's name, reserved (in any letter case) for it. */
    public static final String NAME = "All";

    private AllGroup() {
    }

    /**
     * Whether this event creates the account's All group: it is named {@value #NAME} and the account has no All
     * group yet.
     */
    public static boolean isCreatedBy(GroupCreated event, boolean accountHasAllGroup) {
        return !accountHasAllGroup && NAME.equals(event.name());
    }

    /** Whether a group name is the All group's, which no other group may take (compared ignoring case). */
    public static boolean isReservedName(String name) {
        return NAME.equalsIgnoreCase(name);
    }
}

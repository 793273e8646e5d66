package dev.tern.events.values;

/**
 * How much one request may ask for. Every list in a policy multiplies into the network maps of the peers it names
 * (a firewall rule per remote peer and port range), and a map too big for the agent's 4 MiB message limit locks
 * its peer out. The REST edge refuses larger inputs with a 400 naming the field; the account refuses commands
 * that break them, so no path appends such an event. Events already stored are not re-checked (events are
 * forever): the network projector merges their ports into ranges instead.
 */
public final class InputLimits {
    /** Descriptions of policies and rules. */
    public static final int MAX_DESCRIPTION = 1024;
    /** Rules of one policy (NetBird's dashboard makes one). */
    public static final int MAX_RULES_PER_POLICY = 100;
    /** Groups on one side of a rule: sources, and destinations, each. */
    public static final int MAX_GROUPS_PER_RULE_SIDE = 100;
    /** Entries of one rule's {@code ports} and {@code port_ranges} together; more ports fit into ranges. */
    public static final int MAX_PORTS_PER_RULE = 100;
    /** Auto-groups of one setup key or user. */
    public static final int MAX_AUTO_GROUPS = 100;
    /** Peers named by one group request: an account network (a /16) holds fewer peers than this. */
    public static final int MAX_PEERS_PER_GROUP = 65_536;

    private InputLimits() {
    }
}

package dev.tern.events.meta;

import java.util.List;

/**
 * Metadata keys every event carries. The API puts them on each command; a correlation data provider copies
 * them onto the events the command produces.
 */
public final class EventMetadata {
    public static final String ACTOR_TYPE = "actorType";
    public static final String ACTOR_ID = "actorId";
    public static final String ACTOR_NAME = "actorName";
    public static final String ACTOR_EMAIL = "actorEmail";
    public static final String SOURCE_ADDRESS = "sourceAddress";
    public static final String CORRELATION_ID = "correlationId";

    /** Keys copied from a command onto the events it causes. */
    public static final List<String> PROPAGATED = List.of(ACTOR_TYPE, ACTOR_ID, ACTOR_NAME, ACTOR_EMAIL, SOURCE_ADDRESS);

    private EventMetadata() {
    }
}

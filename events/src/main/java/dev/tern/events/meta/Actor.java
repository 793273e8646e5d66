package dev.tern.events.meta;

import java.util.HashMap;
import java.util.Map;

/**
 * Who caused an event. Travels as event metadata (never inside the event payload) so that the audit trail is a
 * view of the event store itself.
 */
public record Actor(Type type, String id, String name, String email) {
    public enum Type { USER, SERVICE_USER, PEER, SYSTEM }

    public static final Actor SYSTEM = new Actor(Type.SYSTEM, "system", "Tern", "");

    public Actor {
        if (type == null) {
            throw new IllegalArgumentException("actor type is missing");
        }
        id = id == null ? "" : id;
        name = name == null ? "" : name;
        email = email == null ? "" : email;
    }

    public Map<String, Object> toMetadata() {
        Map<String, Object> m = new HashMap<>();
        m.put(EventMetadata.ACTOR_TYPE, type.name());
        m.put(EventMetadata.ACTOR_ID, id);
        m.put(EventMetadata.ACTOR_NAME, name);
        m.put(EventMetadata.ACTOR_EMAIL, email);
        return m;
    }

    public static Actor fromMetadata(Map<String, ?> metadata) {
        Object type = metadata.get(EventMetadata.ACTOR_TYPE);
        if (type == null) {
            return SYSTEM;
        }
        return new Actor(Type.valueOf(type.toString()), str(metadata.get(EventMetadata.ACTOR_ID)),
                str(metadata.get(EventMetadata.ACTOR_NAME)), str(metadata.get(EventMetadata.ACTOR_EMAIL)));
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }
}

package dev.tern.api.web;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** Times on the wire: ISO-8601 in UTC; "never" is Go's zero time, as NetBird's JSON carries it. */
final class Times {
    static final String ZERO = "0001-01-01T00:00:00Z";

    private Times() {
    }

    static String iso(Instant instant) {
        return instant == null ? ZERO : DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    /** For optional fields: null stays null (and is omitted). */
    static String isoOrNull(Instant instant) {
        return instant == null ? null : DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}

package dev.tern.api.web;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** Times on the wire: ISO-8601 in UTC; "never" is Go's zero time, as NetBird's JSON carries it. */
final class Times {
    static final String ZERO = "0001-01-01T00:00:00Z";
    /**
     * The instants a query parameter may name: four-digit years, as ISO-8601 without an agreement and NetBird's
     * Go times. Beyond them the JDBC timestamp conversion overflows (a 500 for year +999999999), and nothing Tern
     * stores is older or newer anyway.
     */
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

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

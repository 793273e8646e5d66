package dev.tern.api.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@code as_of} values: RFC 3339 instants only, never in the future. */
class PointInTimeParseTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    @Test
    void rfc3339InstantsWithAnyOffsetAndFractionAreRead() {
        assertThat(PointInTime.parse("2026-06-01T03:00:00Z", NOW)).isEqualTo(Instant.parse("2026-06-01T03:00:00Z"));
        assertThat(PointInTime.parse("2026-06-01T05:00:00.123456789+02:00", NOW))
                .isEqualTo(Instant.parse("2026-06-01T03:00:00.123456789Z"));
        assertThat(PointInTime.parse("2026-06-01t03:00:00z", NOW)).isEqualTo(Instant.parse("2026-06-01T03:00:00Z"));
        // an unencoded '+' in a query string arrives as a space
        assertThat(PointInTime.parse("2026-06-01T05:00:00 02:00", NOW)).isEqualTo(Instant.parse("2026-06-01T03:00:00Z"));
        assertThat(PointInTime.parse("2026-06-01T12:00:00Z", NOW)).isEqualTo(NOW);
    }

    @Test
    void anythingElseOrTheFutureIsRefusedWithAReason() {
        for (String bad : new String[] {"", " ", "yesterday", "2026-06-01", "2026-06-01T03:00:00", "1717210800",
                "2026-06-01T03:00Z", "2026-13-01T03:00:00Z", "2026-06-01T03:00:00+25:00", "x".repeat(10_000)}) {
            assertThatThrownBy(() -> PointInTime.parse(bad, NOW)).as(bad).isInstanceOf(PointInTime.BadInstant.class)
                    .hasMessageContaining("as_of");
        }
        assertThatThrownBy(() -> PointInTime.parse("x".repeat(10_000), NOW)).hasMessageContaining("...");
        assertThatThrownBy(() -> PointInTime.parse("2026-06-01T12:00:00.000000001Z", NOW))
                .isInstanceOf(PointInTime.BadInstant.class).hasMessageContaining("future");
    }
}

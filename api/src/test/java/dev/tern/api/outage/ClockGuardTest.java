package dev.tern.api.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.InvalidSettingException;
import dev.tern.api.config.TernSettings;
import dev.tern.testsupport.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;

/** A node whose clock runs ahead of PostgreSQL's refuses writes until it is back in bounds. */
class ClockGuardTest {
    private static final Instant DATABASE_NOW = Instant.parse("2026-12-04T02:00:00Z");
    private final SettableClock local = new SettableClock(DATABASE_NOW);
    private final AtomicReference<Instant> database = new AtomicReference<>(DATABASE_NOW);
    private final ClockGuard guard = new ClockGuard(local, () -> {
        Instant now = database.get();
        if (now == null) {
            throw new DataAccessResourceFailureException("PostgreSQL is away");
        }
        return now;
    }, Duration.ofSeconds(5));

    @Test
    void aClockAheadBeyondTheBoundRefusesWritesUntilItIsBack() {
        local.set(DATABASE_NOW.plusSeconds(3));
        guard.check();
        assertThat(guard.isRefusingWrites()).isFalse();
        assertThatCode(guard::requireWritable).doesNotThrowAnyException();

        local.set(DATABASE_NOW.plusSeconds(12));
        guard.check();
        assertThat(guard.isRefusingWrites()).isTrue();
        assertThat(guard.ahead()).isEqualTo(Duration.ofSeconds(12));
        assertThatThrownBy(guard::requireWritable).isInstanceOf(ClockAheadException.class)
                .hasMessageContaining("12000 ms ahead").hasMessageContaining("retry later")
                // so that gRPC answers it UNAVAILABLE, as it answers a database that went away
                .satisfies(refused -> assertThat(DatabaseFailures.isUnavailable(refused)).isTrue());

        local.set(DATABASE_NOW.plusMillis(200));
        guard.check();
        assertThat(guard.isRefusingWrites()).isFalse();
        assertThatCode(guard::requireWritable).doesNotThrowAnyException();
    }

    @Test
    void aClockBehindTheDatabasesIsNotRefused() {
        local.set(DATABASE_NOW.minusSeconds(60));
        guard.check();
        assertThat(guard.isRefusingWrites()).isFalse();
        assertThat(guard.ahead()).isEqualTo(Duration.ofSeconds(-60));
    }

    @Test
    void aFailedCheckKeepsWhatTheLastOneFound() {
        local.set(DATABASE_NOW.plusSeconds(30));
        guard.check();
        database.set(null);
        assertThatThrownBy(guard::check).isInstanceOf(DataAccessResourceFailureException.class);
        assertThat(guard.isRefusingWrites()).isTrue();
    }

    @Test
    void theBoundIsASettingOfTernServer() {
        assertThat(ClockGuard.maxAhead(Map.of())).isEqualTo(Duration.ofSeconds(5));
        assertThat(ClockGuard.maxAhead(Map.of(ClockGuard.MAX_AHEAD, "1500ms"))).isEqualTo(Duration.ofMillis(1500));
        assertThat(ClockGuard.maxAhead(Map.of(ClockGuard.MAX_AHEAD, "2m"))).isEqualTo(Duration.ofMinutes(2));
        assertThat(TernSettings.KNOWN_VARIABLES).contains(ClockGuard.MAX_AHEAD);
        for (String bad : List.of("0s", "100ms", "2h", "61m", "soon", "5")) {
            assertThatThrownBy(() -> TernSettings.from(Map.of(ClockGuard.MAX_AHEAD, bad), name -> null)).as(bad)
                    .isInstanceOf(InvalidSettingException.class).hasMessage(ClockGuard.MAX_AHEAD
                            + " must be a duration between 500ms and 60m like 5s or 1500ms, got '" + bad + "'");
        }
    }

    @Test
    void theServerReadsTheBoundAsEverySettingIsReadThePropertyBeforeTheEnvironment() {
        assertThat(ClockGuard.maxAhead(Map.of(ClockGuard.MAX_AHEAD, " 2s "), name -> null))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(ClockGuard.maxAhead(Map.of(ClockGuard.MAX_AHEAD, "2s"),
                name -> name.equals("tern.max-clock-ahead") ? "750ms" : null)).isEqualTo(Duration.ofMillis(750));
        assertThat(ClockGuard.maxAhead(Map.of(), name -> null)).isEqualTo(ClockGuard.DEFAULT_MAX_AHEAD);
        assertThatThrownBy(() -> ClockGuard.maxAhead(Map.of(ClockGuard.MAX_AHEAD, "2h"), name -> null))
                .isInstanceOf(InvalidSettingException.class).hasMessage(ClockGuard.MAX_AHEAD
                        + " must be a duration between 500ms and 60m like 5s or 1500ms, got '2h'");
    }

    @Test
    void theScheduleChecksTheGuardAndOutlivesAFailedCheck() {
        ClockGuardSchedule schedule = new ClockGuardSchedule(guard);
        local.set(DATABASE_NOW.plusSeconds(30));
        schedule.scheduledRun();
        assertThat(guard.isRefusingWrites()).isTrue();
        database.set(null);
        assertThatThrownBy(schedule::scheduledRun).isInstanceOf(DataAccessResourceFailureException.class);
        assertThatCode(() -> schedule.scheduledRunFailed(new DataAccessResourceFailureException("away")))
                .doesNotThrowAnyException();
        database.set(DATABASE_NOW.plusSeconds(30));
        schedule.scheduledRun();
        assertThat(guard.isRefusingWrites()).isFalse();
    }
}

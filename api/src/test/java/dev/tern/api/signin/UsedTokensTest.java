package dev.tern.api.signin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A token is used once until it expires; the memory of used tokens stays within its bound. */
class UsedTokensTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private final AtomicReference<Instant> now = new AtomicReference<>(NOW);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void aTokenIsUsedOnceUntilItExpiresAndAForgottenOneAgain() {
        UsedTokens used = new UsedTokens(10, clock);
        Instant exp = NOW.plus(Duration.ofMinutes(5));

        assertThat(used.firstUse("t1", exp)).isTrue();
        assertThat(used.firstUse("t1", exp)).isFalse();
        assertThat(used.firstUse("t2", exp)).isTrue();
        used.forget("t1");
        assertThat(used.firstUse("t1", exp)).isTrue();
        now.set(exp.plusSeconds(1));
        assertThat(used.firstUse("t2", exp.plusSeconds(600))).as("remembered only until it expired").isTrue();
    }

    @Test
    void atCapacityExpiredTokensGoFirstThenTheOldest() {
        UsedTokens used = new UsedTokens(3, clock);
        used.firstUse("short", NOW.plusSeconds(10));
        used.firstUse("long-1", NOW.plusSeconds(600));
        used.firstUse("long-2", NOW.plusSeconds(600));
        now.set(NOW.plusSeconds(20));

        assertThat(used.firstUse("long-3", NOW.plusSeconds(600))).isTrue();
        assertThat(used.size()).isEqualTo(3);
        assertThat(used.firstUse("long-1", NOW.plusSeconds(600))).as("still remembered").isFalse();

        assertThat(used.firstUse("long-4", NOW.plusSeconds(600))).isTrue();
        assertThat(used.size()).as("never above the bound").isEqualTo(3);
        assertThat(used.firstUse("long-2", NOW.plusSeconds(600))).isFalse();
        assertThat(used.firstUse("long-4", NOW.plusSeconds(600))).isFalse();
    }
}

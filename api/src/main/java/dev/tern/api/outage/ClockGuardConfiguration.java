package dev.tern.api.outage;

import dev.tern.api.config.InvalidSettingException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Timestamp;
import java.time.Clock;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/** The {@link ClockGuard} of this process: checked at start and every 10 s, in health ("clock") and metrics. */
@Configuration(proxyBeanMethods = false)
class ClockGuardConfiguration {
    @Bean
    ClockGuard clockGuard(JdbcTemplate jdbc, Environment environment) {
        ClockGuard guard;
        try {
            guard = new ClockGuard(Clock.systemUTC(), () -> jdbc.queryForObject("SELECT clock_timestamp()",
                    Timestamp.class).toInstant(), ClockGuard.maxAhead(System.getenv(), environment::getProperty));
        } catch (InvalidSettingException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        guard.check(); // at start: a node that is ahead refuses its first write already
        return guard;
    }

    @Bean
    ClockGuardSchedule clockGuardSchedule(ClockGuard guard) {
        return new ClockGuardSchedule(guard);
    }

    /** "clock" in /actuator/health: DOWN while writes are refused for a clock ahead of the database's. */
    @Bean(name = "clock")
    HealthIndicator clockHealth(ClockGuard guard) {
        return () -> (guard.isRefusingWrites() ? Health.down() : Health.up())
                .withDetail("aheadOfDatabaseMillis", guard.ahead().toMillis()).build();
    }

    /** {@code tern_clock_ahead_seconds}: how far this server's clock is ahead of PostgreSQL's (negative: behind). */
    @Bean
    MeterBinder clockAheadMetrics(ClockGuard guard) {
        return registry -> Gauge.builder("tern.clock.ahead", guard, g -> g.ahead().toMillis() / 1000.0)
                .baseUnit("seconds").description("this server's clock minus PostgreSQL's at the last check")
                .register(registry);
    }
}

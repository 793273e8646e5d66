package dev.tern.api.outage;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Health of PostgreSQL as {@link DatabaseAvailability} last saw it. It replaces Spring Boot's DataSource indicator,
 * which borrows a connection on every call and so needed the pool's whole connection timeout (30 s by default)
 * to say DOWN, and could hang with a hung server.
 */
final class DatabaseHealthIndicator implements HealthIndicator {
    private final DatabaseAvailability availability;

    DatabaseHealthIndicator(DatabaseAvailability availability) {
        this.availability = availability;
    }

    @Override
    public Health health() {
        return availability.outage()
                .map(outage -> Health.down().withDetail("database", "PostgreSQL")
                        .withDetail("error", outage.reason()).withDetail("since", outage.since().toString()).build())
                .orElseGet(() -> Health.up().withDetail("database", "PostgreSQL").build());
    }
}

package dev.tern.api.outage;

import dev.tern.projector.NetworkMapEventHandler;
import dev.tern.query.ProjectionFailures;
import dev.tern.query.QuerySideConfiguration;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.axonframework.config.EventProcessingConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Behaviour while PostgreSQL is unavailable (the probe, the REST gate and the health indicator), and the health
 * and metrics of projections that stopped at an event. Spring Boot's own
 * DataSource health indicator is switched off in application.properties ({@code management.health.db.enabled}).
 */
@Configuration(proxyBeanMethods = false)
class OutageConfiguration {

    @Bean
    DatabaseAvailability databaseAvailability(DataSource dataSource,
                                              ObjectProvider<EventProcessingConfiguration> processing) {
        DatabaseAvailability availability = new DatabaseAvailability(dataSource, Clock.systemUTC());
        availability.onRecovery(new RestartProcessorsOnRecovery(processing));
        return availability;
    }

    @Bean
    FilterRegistrationBean<DatabaseOutageFilter> databaseOutageFilter(DatabaseAvailability availability) {
        FilterRegistrationBean<DatabaseOutageFilter> registration =
                new FilterRegistrationBean<>(new DatabaseOutageFilter(availability));
        registration.setOrder(DatabaseOutageFilter.ORDER);
        return registration;
    }

    /** The event processors of tern-server, whose stops health and metrics report. */
    static final List<String> PROCESSORS =
            List.of(QuerySideConfiguration.READ_MODEL, NetworkMapEventHandler.PROCESSING_GROUP);

    /** "projections" in /actuator/health, with a component per processor. */
    @Bean(name = "projections")
    ProjectionsHealth projectionsHealth(ObjectProvider<EventProcessingConfiguration> processing,
                                        ProjectionFailures failures) {
        return new ProjectionsHealth(processing, failures, PROCESSORS);
    }

    @Bean
    ProjectionMetrics projectionMetrics(ProjectionFailures failures) {
        return new ProjectionMetrics(failures, PROCESSORS);
    }

    /** {@code tern_database_available}: 1 while the probe gets answers from PostgreSQL, else 0. */
    @Bean
    MeterBinder databaseAvailabilityMetrics(DatabaseAvailability availability) {
        return registry -> Gauge.builder("tern.database.available", availability, a -> a.isAvailable() ? 1 : 0)
                .description("1 while PostgreSQL answers the probe").register(registry);
    }

    /** Named "db" in /actuator/health, where Spring Boot's indicator used to be. */
    @Bean(name = "dbHealthIndicator")
    DatabaseHealthIndicator dbHealthIndicator(DatabaseAvailability availability) {
        return new DatabaseHealthIndicator(availability);
    }
}

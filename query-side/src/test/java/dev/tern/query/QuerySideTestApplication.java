package dev.tern.query;

import javax.sql.DataSource;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The smallest application the query side runs in: Spring Boot's and Axon's auto-configuration (JDBC event
 * store, JDBC token store, Jackson serializer, Flyway) on a database of its own, plus {@link QuerySideConfiguration}.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(QuerySideConfiguration.class)
class QuerySideTestApplication {

    @Bean(destroyMethod = "close")
    DataSource dataSource() {
        return TestDatabase.fresh();
    }

    /** Tests that depend on "now" (peer status freshness) pin it here. */
    @Bean
    SettableClock clock() {
        return new SettableClock();
    }

    // The same names tern-server gives Axon's JDBC auto-configuration.
    @Bean
    EventSchema eventSchema() {
        return AxonSchemas.eventSchema();
    }

    @Bean
    TokenSchema tokenSchema() {
        return AxonSchemas.tokenSchema();
    }

    @Bean
    SagaSqlSchema sagaSqlSchema() {
        return AxonSchemas.sagaSqlSchema();
    }
}

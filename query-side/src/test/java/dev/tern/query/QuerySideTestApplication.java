package dev.tern.query;

import dev.tern.testsupport.time.SettableClock;
import javax.sql.DataSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The smallest application the query side runs in: Spring Boot's and Axon's auto-configuration (JDBC event
 * store, JDBC token store, Jackson serializer, Flyway) on a database of its own, plus {@link QuerySideConfiguration}
 * (which brings the event store's schema names, {@link AxonSchemas}, as tern-server gets them).
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
}

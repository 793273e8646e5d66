package dev.tern.api.axon;

import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Axon on PostgreSQL without Axon Server. Axon's Spring Boot JDBC auto-configuration builds the
 * JdbcEventStorageEngine and JdbcTokenStore on our DataSource (JPA is not on the classpath, and Axon Server is
 * disabled in application.properties); serializers are Jackson, also set there. This class supplies what the
 * auto-configuration gets wrong or leaves generic for PostgreSQL.
 */
@Configuration(proxyBeanMethods = false)
class AxonStorageConfiguration {

    /** Replaces Axon's SQL-error-code lookup, which is vendor-table driven, with PostgreSQL's SQLState. */
    @Bean
    PersistenceExceptionResolver persistenceExceptionResolver() {
        return new PostgresUniqueViolationResolver();
    }
}

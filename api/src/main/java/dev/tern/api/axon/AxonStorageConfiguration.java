package dev.tern.api.axon;

import dev.tern.api.config.TernSettings;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.serialization.Serializer;
import org.axonframework.springboot.TokenStoreProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Axon on PostgreSQL without Axon Server. Axon's Spring Boot JDBC auto-configuration builds the
 * JdbcEventStorageEngine, JdbcTokenStore and JdbcSagaStore on our DataSource (there is no JPA
 * EntityManagerFactory, so its JPA variant stays off, and Axon Server is disabled in application.properties);
 * serializers are Jackson, also set there. The table and column names of the event store come with the query
 * side, which owns its V1 migration ({@code dev.tern.query.AxonSchemas}). This class supplies the rest that
 * auto-configuration leaves generic: recognition of PostgreSQL's unique violation, so concurrent appends to one
 * aggregate surface as Axon concurrency conflicts, and a token owner that survives a restart.
 */
@Configuration(proxyBeanMethods = false)
class AxonStorageConfiguration {

    @Bean
    PersistenceExceptionResolver persistenceExceptionResolver() {
        return new PostgresUniqueViolationResolver();
    }

    /**
     * Axon's JdbcTokenStore as the auto-configuration would build it, but owned by a node id that survives a
     * restart. The default owner is "pid@host", so after a crash the new process had to wait for the dead one's
     * claims to time out before its projections moved again; tern-server's identity is its host and data
     * directory instead, which the data-directory lock makes unique among running processes.
     */
    @Bean
    TokenStore tokenStore(ConnectionProvider connectionProvider, Serializer serializer, TokenSchema tokenSchema,
                          TokenStoreProperties properties, TernSettings settings) {
        return JdbcTokenStore.builder()
                .connectionProvider(connectionProvider)
                .schema(tokenSchema)
                .serializer(serializer)
                .claimTimeout(properties.getClaimTimeout())
                .nodeId(TokenOwner.of(settings))
                .build();
    }
}

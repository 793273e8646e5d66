package dev.tern.api.storage;

import dev.tern.api.config.TernSettings;
import java.sql.Connection;
import java.sql.SQLException;
import org.springframework.boot.autoconfigure.flyway.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The DataSource everything runs on (Axon's event and token store, the read tables, Flyway). Spring Boot's own
 * DataSource auto-configuration backs off because this one exists. Bean destruction runs in reverse dependency
 * order: pool, then PostgreSQL, then the data-directory lock.
 */
@Configuration(proxyBeanMethods = false)
class StorageConfiguration {

    @Bean(destroyMethod = "close")
    DataDirectoryLock dataDirectoryLock(TernSettings settings) {
        return DataDirectoryLock.acquire(settings.storage().dataDir());
    }

    @Bean(destroyMethod = "close")
    TernDatabase ternDatabase(TernSettings settings, DataDirectoryLock lock) {
        return TernDatabase.open(settings, lock);
    }

    /** Closed by {@link TernDatabase}, hence no destroy method here. */
    @Bean(destroyMethod = "")
    DataSource dataSource(TernDatabase database) {
        return database.dataSource();
    }

    /**
     * Flyway migrates on the pool's connections without their read timeout: the pool gives up on a read after 15 s
     * so a hung database shows as a failure, but a migration of a big table (V230 numbers every audit row) may
     * rightly take minutes, and cut off it would leave a server that cannot start on its own data.
     */
    @Bean
    FlywayConfigurationCustomizer migrationsWithoutReadTimeout(DataSource dataSource) {
        return configuration -> configuration.dataSource(new WithoutReadTimeout(dataSource));
    }

    /** Connections of the pool whose reads wait as long as the database takes (the pool restores the timeout). */
    static final class WithoutReadTimeout extends DelegatingDataSource {
        WithoutReadTimeout(DataSource pool) {
            super(pool);
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection connection = super.getConnection();
            try {
                connection.setNetworkTimeout(Runnable::run, 0);
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
            return connection;
        }
    }
}

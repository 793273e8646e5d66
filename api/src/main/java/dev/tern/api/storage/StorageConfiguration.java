package dev.tern.api.storage;

import dev.tern.api.config.TernSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

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
}

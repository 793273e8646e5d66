package dev.tern.api.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.api.support.TernIntegrationTest;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.jdbc.PgConnection;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Migrations may run as long as the database needs (a big rm_audit took V230 past the pool's 15 s read timeout),
 * while every other use of the pool keeps giving up on a hung database after 15 s.
 */
@TernIntegrationTest
class MigrationTimeoutTest {
    @Autowired
    Flyway flyway;
    @Autowired
    DataSource dataSource;

    @Test
    void flywayReadsWithoutTimeoutWhileThePoolKeepsItsOwn() throws SQLException {
        try (Connection pooled = dataSource.getConnection()) {
            assertThat(pooled.getNetworkTimeout()).isEqualTo(15_000);
        }
        Object physical;
        try (Connection migrating = flyway.getConfiguration().getDataSource().getConnection()) {
            assertThat(migrating.getNetworkTimeout()).isZero();
            physical = migrating.unwrap(PgConnection.class);
        }
        // the pool lends a thread the connection it gave back last: Flyway's, back at the pool's timeout
        try (Connection again = dataSource.getConnection()) {
            assertThat(again.unwrap(PgConnection.class)).isSameAs(physical);
            assertThat(again.getNetworkTimeout()).isEqualTo(15_000);
        }
    }
}

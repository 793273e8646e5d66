package dev.tern.api.outage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.axonframework.common.jdbc.JdbcException;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionSystemException;

/** The failures PostgreSQL's restart caused under load (PostgresRestartUnderLoadTest), as tern-server saw them. */
class DatabaseFailuresTest {

    @Test
    void aStatementOnAConnectionThePoolClosedAfterAConnectionErrorIsAnOutage() {
        // Axon's next statement in the transaction, after Hikari evicted the connection on SQLSTATE 08006 / 57P01.
        JdbcException nextStatement = new JdbcException("Failed to create a SQL statement",
                new SQLException("Connection is closed"));
        assertThat(DatabaseFailures.isUnavailable(nextStatement)).isTrue();
    }

    @Test
    void aFailedCommitWhoseRollbackFailedTooIsJudgedByTheCommitsFailure() {
        TransactionSystemException rollbackFailed = new TransactionSystemException("JDBC rollback failed",
                new SQLException("rollback refused", "XX000"));
        rollbackFailed.initApplicationException(new SQLException("An I/O error occurred while sending to the backend.",
                "08006"));
        assertThat(DatabaseFailures.isUnavailable(rollbackFailed)).isTrue();
    }

    @Test
    void otherSqlFailuresStayFailures() {
        assertThat(DatabaseFailures.isUnavailable(new SQLException("Connection is closed", "23505"))).isFalse();
        assertThat(DatabaseFailures.isUnavailable(new SQLException("syntax error", "42601"))).isFalse();
        TransactionSystemException other = new TransactionSystemException("commit failed",
                new SQLException("serialization", "40001"));
        assertThat(DatabaseFailures.isUnavailable(other)).isFalse();
    }
}

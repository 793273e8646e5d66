package dev.tern.api.axon;

import org.axonframework.common.jdbc.PersistenceExceptionResolver;

import java.sql.SQLException;

/**
 * Tells Axon that an append failed because another writer already stored that (aggregate, sequence number): the
 * event store's unique constraint raised PostgreSQL's {@code unique_violation} (SQLState 23505). Axon then reports
 * a concurrency conflict instead of a generic storage failure, which is what lets concurrent writers on one
 * account (several nodes, or racing requests) be detected and retried.
 */
final class PostgresUniqueViolationResolver implements PersistenceExceptionResolver {

    static final String UNIQUE_VIOLATION = "23505";

    @Override
    public boolean isDuplicateKeyViolation(Exception exception) {
        for (Throwable t = exception; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException next = sql; next != null; next = next.getNextException()) {
                    if (UNIQUE_VIOLATION.equals(next.getSQLState())) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}

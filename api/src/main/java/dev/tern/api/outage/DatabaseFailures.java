package dev.tern.api.outage;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells a failure caused by the database being unreachable (refused, hung, restarting, pool timeout) from any other
 * failure. Such a failure is the server's state, not the request's fault: callers answer 503 / UNAVAILABLE with a
 * retry hint instead of 500 / INTERNAL.
 */
public final class DatabaseFailures {
    /** Causes are followed this deep at most (a cycle or absurd nesting must not loop). */
    private static final int MAX_DEPTH = 32;
    /** HikariCP's message for a call on a connection the pool already closed (ProxyConnection.ClosedConnection). */
    private static final String HIKARI_CLOSED = "Connection is closed";

    private DatabaseFailures() {
    }

    public static boolean isUnavailable(Throwable failure) {
        Throwable current = failure;
        for (int depth = 0; current != null && depth < MAX_DEPTH; depth++) {
            if (isUnavailableItself(current)) {
                return true;
            }
            if (current instanceof SQLException sql && sql.getNextException() != null
                    && isUnavailableItself(sql.getNextException())) {
                return true;
            }
            if (current instanceof TransactionSystemException tx && tx.getApplicationException() != null
                    && isUnavailable(tx.getApplicationException())) {
                // A commit that failed and whose rollback failed too: the commit's failure is the one that says why.
                return true;
            }
            current = current.getCause() == current ? null : current.getCause();
        }
        return false;
    }

    private static boolean isUnavailableItself(Throwable t) {
        if (t instanceof SQLTransientConnectionException // Hikari: no connection within connectionTimeout
                || t instanceof SQLRecoverableException
                || t instanceof SQLTimeoutException
                || t instanceof DataAccessResourceFailureException // incl. CannotGetJdbcConnectionException
                || t instanceof QueryTimeoutException
                || t instanceof TransientDataAccessResourceException
                || t instanceof CannotCreateTransactionException
                || t instanceof ConnectException
                || t instanceof SocketTimeoutException) {
            return true;
        }
        if (t instanceof SQLException sql && sql.getSQLState() == null && HIKARI_CLOSED.equals(sql.getMessage())) {
            // Hikari closes a connection it saw fail with a connection error (08xxx, 57Pxx) and answers every later
            // call in the same transaction with this, state-less: the database went away under the request.
            return true;
        }
        if (t instanceof SQLException sql && sql.getSQLState() != null) {
            String state = sql.getSQLState();
            // 08: connection exception; 57P01..57P03: shutting down / crashed / not accepting connections yet;
            // 57014: statement cancelled (statement_timeout or the driver's query timeout)
            return state.startsWith("08") || state.startsWith("57P") || state.equals("57014");
        }
        return false;
    }
}

package dev.tern.api.commands;

import dev.tern.events.AccountCreated;
import dev.tern.events.CommandRejected;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

/**
 * {@link SetupExclusion} in PostgreSQL, where all nodes meet: a transaction-scoped advisory lock held on its own
 * connection from before the check until the setup's events are committed, and the check asks the event store
 * (the source of truth, committed by the previous holder before it let go), not a read model that may lag. The
 * lock dies with the connection, so a node that crashes mid-setup never blocks setup for good.
 */
@Component
class DatabaseSetupExclusion implements SetupExclusion {

    /** The advisory lock's key: "tern-set" in ASCII, so it cannot collide by accident with another of ours. */
    static final long LOCK_KEY = 0x7465726e2d736574L;
    /** Another node's setup holds the lock for one command round trip; far longer means something is stuck. */
    private static final String LOCK_TIMEOUT = "60s";

    private final DataSource dataSource;

    DatabaseSetupExclusion(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public AccountSetupService.SetupResult exclusively(Supplier<AccountSetupService.SetupResult> setup) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'");
                    statement.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
                }
                if (accountExists(connection)) {
                    throw CommandRejected.preconditionFailed("setup already completed: an owner exists; "
                            + "authenticate with a personal access token instead");
                }
                // The setup's commands commit on other connections while this transaction keeps the lock.
                return setup.get();
            } finally {
                connection.rollback(); // nothing was written here: ending the transaction releases the lock
            }
        } catch (SQLException e) {
            throw new DataAccessResourceFailureException("cannot take the setup lock: " + e.getMessage(), e);
        }
    }

    private static boolean accountExists(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM domain_event_entry WHERE payload_type = ?)")) {
            query.setString(1, AccountCreated.class.getName());
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}

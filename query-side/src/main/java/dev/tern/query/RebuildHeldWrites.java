package dev.tern.query;

/**
 * A read-model projection that keeps rows of its own while {@link ReadModelRebuild} replays into it and writes them
 * as JDBC batches (one round trip for many rows instead of one per row), beside the writes every projection holds
 * in {@link dev.tern.query.jdbc.WriteBehind}. The rebuild turns holding on for its own thread only, flushes every
 * {@value ReadModelRebuild#BATCH_SIZE} events and before it commits, and turns it off after, success or not. The
 * audit trail holds its rows (nothing reads rm_audit during a replay) and, while it holds, keeps the names it shows
 * from the events instead of reading them back from the tables.
 */
public interface RebuildHeldWrites {
    /** Holds the rows written on the calling thread until {@link #flushHeldWrites()}. */
    void holdWrites();

    /** Writes every row held on the calling thread (in the rebuild's transaction). */
    void flushHeldWrites();

    /**
     * Writes what the calling thread still holds, after every projection's held statements: the rebuild's last
     * write before it commits. Rows a projection folds in memory until the end ({@link dev.tern.query.jdbc.TableWrites})
     * are written here, not at each flush.
     */
    default void finishHeldWrites() {
        flushHeldWrites();
    }

    /** Writes each row as it comes again; rows still held are dropped (the rebuild failed and rolls back). */
    void stopHoldingWrites();
}

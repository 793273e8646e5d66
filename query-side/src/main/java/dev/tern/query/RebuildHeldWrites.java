package dev.tern.query;

/**
 * A read-model projection that keeps rows of its own while {@link ReadModelRebuild} replays into it, beside the
 * writes every projection holds in {@link dev.tern.query.jdbc.WriteBehind}: the audit trail's rows (written by
 * {@code COPY} at each flush; nothing reads rm_audit while it replays, and while it holds it keeps the names it shows
 * from the events instead of reading them back from the tables), the peers and memberships folded in memory
 * ({@link dev.tern.query.jdbc.TableWrites}, written once at the end). The rebuild turns holding on for its own thread
 * only, flushes every {@value ReadModelRebuild#BATCH_SIZE} events, finishes before it commits, and turns it off after,
 * success or not.
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

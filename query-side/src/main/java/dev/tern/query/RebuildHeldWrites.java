package dev.tern.query;

/**
 * A read-model projection that can hold the rows it writes while {@link ReadModelRebuild} replays into it, and write
 * them as JDBC batches (one round trip for many rows instead of one per row). The rebuild turns holding on for its
 * own thread only, flushes every {@value ReadModelRebuild#BATCH_SIZE} events and before it commits, and turns it off
 * after, success or not. Only rows that nothing reads back during the replay may be held: the audit trail's (every
 * projection reads tables of others, none reads rm_audit).
 */
public interface RebuildHeldWrites {
    /** Holds the rows written on the calling thread until {@link #flushHeldWrites()}. */
    void holdWrites();

    /** Writes every row held on the calling thread (in the rebuild's transaction). */
    void flushHeldWrites();

    /** Writes each row as it comes again; rows still held are dropped (the rebuild failed and rolls back). */
    void stopHoldingWrites();
}

package dev.tern.query.history;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.axonframework.eventhandling.DomainEventMessage;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checkpoints of one account's read model for {@code as_of} reads: the rows of every table {@link ReadModelAt}
 * shadows, as they stood after the account's event number {@code lastSequence}. An as-of read starts from the
 * newest checkpoint none of whose events lies after the instant and replays only the events after it, instead of
 * the account's whole history.
 *
 * <p>Exact by construction: a checkpoint's rows are what {@link ReadModelAt} leaves in its temporary tables after
 * replaying the events up to it (taken incrementally: the previous checkpoint plus the events since), so a read
 * from a checkpoint sees the very tables a read from the first event would. A checkpoint is used only with tables
 * of the shape it was taken from ({@link ReadModelAt#fingerprint}), a rebuild drops them all (a projection may have
 * changed), and each account keeps only its newest {@code kept}.
 */
@Component
public class ReadModelCheckpoints {
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final ReadModelAt readModel;
    private final AccountEventsAt events;
    private volatile String fingerprint;

    public ReadModelCheckpoints(JdbcTemplate jdbc, PlatformTransactionManager transactionManager,
                                ReadModelAt readModel, AccountEventsAt events) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.readModel = readModel;
        this.events = events;
    }

    /**
     * One checkpoint: the account's read rows after its event {@code lastSequence}; {@code newestEventAt} is the
     * newest timestamp of the events up to it, rounded up to the microsecond.
     */
    public record Checkpoint(String accountId, long lastSequence, Instant newestEventAt) {
    }

    /**
     * What an as-of read of {@code at} replays: the newest usable checkpoint and the events after it, or (none, or
     * {@code fromCheckpoint} false) every event up to {@code at}, then also at hand as {@code prefix}. Empty when
     * the account did not exist yet at {@code at}.
     *
     * @param lastSequence the account's last event at or before {@code at}: names the state
     */
    public record Replay(Optional<Checkpoint> start, List<DomainEventMessage<?>> events, long lastSequence,
                         Optional<AccountEventsAt.AccountEvents> prefix) {
    }

    public Optional<Replay> replayFor(String accountId, Instant at, boolean fromCheckpoint) {
        Optional<Checkpoint> start = fromCheckpoint ? newestUsableAt(accountId, at) : Optional.empty();
        if (start.isEmpty()) {
            return events.upTo(accountId, at).map(prefix ->
                    new Replay(Optional.empty(), prefix.events(), prefix.lastSequence(), Optional.of(prefix)));
        }
        List<DomainEventMessage<?>> after = events.after(accountId, start.get().lastSequence(), at);
        long last = after.isEmpty() ? start.get().lastSequence() : after.get(after.size() - 1).getSequenceNumber();
        return Optional.of(new Replay(start, after, last, Optional.empty()));
    }

    /**
     * The newest checkpoint of the account that an as-of read of {@code at} may start from: none of the events
     * up to it lies after {@code at} (so the read's events are exactly the checkpoint's plus those after it).
     */
    public Optional<Checkpoint> newestUsableAt(String accountId, Instant at) {
        // at rounded down, newest_event_at rounded up: a checkpoint is taken only when it surely qualifies
        return jdbc.query("""
                SELECT last_sequence, newest_event_at FROM as_of_checkpoint
                WHERE account_id = ? AND fingerprint = ? AND newest_event_at <= ?
                ORDER BY last_sequence DESC LIMIT 1""",
                (rs, i) -> new Checkpoint(accountId, rs.getLong(1), rs.getTimestamp(2).toInstant()),
                accountId, fingerprint(), Timestamp.from(at.truncatedTo(ChronoUnit.MICROS))).stream().findFirst();
    }

    /** The account's checkpoints of the current table shape, oldest first. */
    public List<Checkpoint> of(String accountId) {
        return jdbc.query("""
                SELECT last_sequence, newest_event_at FROM as_of_checkpoint
                WHERE account_id = ? AND fingerprint = ? ORDER BY last_sequence""",
                (rs, i) -> new Checkpoint(accountId, rs.getLong(1), rs.getTimestamp(2).toInstant()),
                accountId, fingerprint());
    }

    /** Events the account has after its newest checkpoint (all of them when it has none); 0 for no account. */
    public long eventsSinceNewest(String accountId) {
        Long last = jdbc.queryForObject(
                "SELECT max(sequence_number) FROM domain_event_entry WHERE aggregate_identifier = ?", Long.class,
                accountId);
        if (last == null) {
            return 0;
        }
        Long checkpointed = jdbc.queryForObject(
                "SELECT max(last_sequence) FROM as_of_checkpoint WHERE account_id = ? AND fingerprint = ?",
                Long.class, accountId, fingerprint());
        return last - (checkpointed == null ? -1 : checkpointed);
    }

    /** The accounts there are (every account has a row in the read model once its first event was projected). */
    public List<String> accounts() {
        return jdbc.queryForList("SELECT id FROM rm_accounts ORDER BY id", String.class);
    }

    /**
     * Takes a checkpoint of the account at its newest event (from its newest checkpoint, replaying only what came
     * since) and keeps its newest {@code kept}; nothing when the account has no events or no new ones.
     */
    public Optional<Checkpoint> take(String accountId, int kept) {
        Optional<Checkpoint> base = of(accountId).stream().reduce((older, newer) -> newer);
        List<DomainEventMessage<?>> since = events.after(accountId, base.map(Checkpoint::lastSequence).orElse(-1L),
                Instant.MAX);
        if (since.isEmpty() || (base.isEmpty() && since.get(0).getSequenceNumber() != 0)) {
            return Optional.empty();
        }
        Instant newest = base.map(Checkpoint::newestEventAt).orElse(Instant.MIN);
        for (DomainEventMessage<?> event : since) {
            Instant at = roundedUp(event.getTimestamp());
            if (at.isAfter(newest)) {
                newest = at;
            }
        }
        Checkpoint checkpoint = new Checkpoint(accountId, since.get(since.size() - 1).getSequenceNumber(), newest);
        Map<String, String> rows = readModel.rowsAfter(base, since);
        String shape = fingerprint();
        transactions.executeWithoutResult(status -> {
            // checkpoints of another table shape can never be restored, and may hold this very position
            jdbc.update("DELETE FROM as_of_checkpoint WHERE account_id = ? AND fingerprint <> ?", accountId, shape);
            int inserted = jdbc.update("""
                    INSERT INTO as_of_checkpoint (account_id, last_sequence, newest_event_at, fingerprint)
                    VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING""", accountId, checkpoint.lastSequence(),
                    Timestamp.from(checkpoint.newestEventAt()), shape);
            if (inserted == 1) { // another node may have taken the same one meanwhile
                rows.forEach((table, json) -> jdbc.update("""
                        INSERT INTO as_of_checkpoint_rows (account_id, last_sequence, table_name, rows)
                        VALUES (?, ?, ?, ?::jsonb)""", accountId, checkpoint.lastSequence(), table, json));
            }
            prune(accountId, kept, shape);
        });
        return Optional.of(checkpoint);
    }

    /** Drops every checkpoint: the read model is being rebuilt, possibly by changed projections. */
    public void dropAll() {
        dropAll(jdbc);
    }

    /** The same inside a caller's transaction (the rebuild's, which has no bean of this class at hand). */
    public static void dropAll(JdbcTemplate jdbc) {
        jdbc.update("DELETE FROM as_of_checkpoint");
    }

    /** Keeps the account's newest {@code kept} checkpoints. */
    private void prune(String accountId, int kept, String shape) {
        jdbc.update("""
                DELETE FROM as_of_checkpoint WHERE account_id = ? AND last_sequence NOT IN (
                    SELECT last_sequence FROM as_of_checkpoint WHERE account_id = ? AND fingerprint = ?
                    ORDER BY last_sequence DESC LIMIT ?)""", accountId, accountId, shape, kept);
    }

    private String fingerprint() {
        String known = fingerprint;
        if (known == null) {
            known = readModel.fingerprint();
            fingerprint = known;
        }
        return known;
    }

    private static Instant roundedUp(Instant instant) {
        Instant down = instant.truncatedTo(ChronoUnit.MICROS);
        return down.equals(instant) ? down : down.plus(1, ChronoUnit.MICROS);
    }
}

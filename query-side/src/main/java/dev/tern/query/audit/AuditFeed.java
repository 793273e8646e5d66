package dev.tern.query.audit;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The audit trail in the order it was written, for the live stream and the JSON-lines export: each entry carries its
 * {@code stream_cursor} (V170), and a reader resumes after the last cursor it saw without missing or repeating an
 * entry. Oldest first; the same filters as {@link AuditReads} (offset and limit of the query are not used).
 */
@Component
public class AuditFeed {
    /** Rows the export asks PostgreSQL for at a time, so a large export never sits in memory whole. */
    static final int FETCH_SIZE = 500;
    private static final String COLUMNS = """
            SELECT global_index, sub, occurred_at, activity, activity_code, initiator_id, initiator_name,
                   initiator_email, target_id, meta, stream_cursor
            FROM rm_audit""";

    private final JdbcTemplate jdbc;

    public AuditFeed(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** An audit entry and its place in the feed. */
    public record Entry(long cursor, AuditEntry entry) {
    }

    /** Up to {@code limit} entries after {@code after}, oldest first (a small page: the live stream's step). */
    public List<Entry> after(String accountId, AuditQuery filters, long after, int limit) {
        List<Object> args = new ArrayList<>();
        String where = AuditReads.where(accountId, filters, args) + " AND stream_cursor > ?";
        args.add(after);
        args.add(limit);
        return jdbc.query(COLUMNS + where + " ORDER BY stream_cursor LIMIT ?",
                (rs, i) -> new Entry(rs.getLong(11), AuditReads.entry(rs)), args.toArray());
    }

    /**
     * The cursor of the {@code limit}-th entry after {@code after} (or of the last one, when fewer follow), or
     * {@code after} itself when none does: where the export page that starts after {@code after} ends.
     */
    public long pageEnd(String accountId, AuditQuery filters, long after, int limit) {
        List<Object> args = new ArrayList<>();
        String where = AuditReads.where(accountId, filters, args) + " AND stream_cursor > ?";
        args.add(after);
        args.add(limit);
        Long end = jdbc.queryForObject("SELECT max(stream_cursor) FROM (SELECT stream_cursor FROM rm_audit" + where
                + " ORDER BY stream_cursor LIMIT ?) page", Long.class, args.toArray());
        return end == null ? after : end;
    }

    /**
     * Hands every entry with a cursor in ({@code after}, {@code upTo}] to {@code sink}, oldest first, fetched
     * {@link #FETCH_SIZE} rows at a time (PostgreSQL streams a result only inside a transaction).
     */
    public void forEach(String accountId, AuditQuery filters, long after, long upTo, Consumer<Entry> sink) {
        List<Object> args = new ArrayList<>();
        String where = AuditReads.where(accountId, filters, args) + " AND stream_cursor > ? AND stream_cursor <= ?";
        args.add(after);
        args.add(upTo);
        String sql = COLUMNS + where + " ORDER BY stream_cursor";
        jdbc.execute((ConnectionCallback<Void>) connection -> {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setFetchSize(FETCH_SIZE);
                for (int i = 0; i < args.size(); i++) {
                    statement.setObject(i + 1, args.get(i));
                }
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        sink.accept(new Entry(rs.getLong(11), AuditReads.entry(rs)));
                    }
                }
                connection.commit();
            } finally {
                if (autoCommit) {
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
            }
            return null;
        });
    }
}

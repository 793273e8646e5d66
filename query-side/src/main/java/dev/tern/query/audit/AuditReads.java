package dev.tern.query.audit;

import static dev.tern.query.jdbc.Rows.instant;

import dev.tern.query.jdbc.Json;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads of the audit trail {@link AuditProjection} writes: one account's entries, filtered and paged. */
@Component
public class AuditReads {
    /** The unfiltered total: the account's highest account_seq (V230), none when the account has no entry. */
    static final String SEQUENCE_TOTAL_SQL = """
            SELECT account_seq FROM rm_audit WHERE account_id = ? ORDER BY account_seq DESC LIMIT 1""";
    /** The unfiltered page: parameters account, lowest number excluded, highest included. */
    static final String SEQUENCE_PAGE_SQL = """
            SELECT global_index, sub, occurred_at, activity, activity_code, initiator_id, initiator_name,
                   initiator_email, target_id, meta
            FROM rm_audit WHERE account_id = ? AND account_seq > ? AND account_seq <= ?
            ORDER BY account_seq DESC""";

    private final JdbcTemplate jdbc;

    public AuditReads(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public AuditPage audit(String accountId, AuditQuery query) {
        int limit = query.limit() <= 0 ? AuditQuery.DEFAULT_LIMIT : Math.min(query.limit(), AuditQuery.MAX_LIMIT);
        int offset = Math.max(0, query.offset());
        if (unfiltered(query)) {
            return bySequence(accountId, offset, limit);
        }
        List<Object> args = new ArrayList<>();
        String where = where(accountId, query, args);
        Long total = jdbc.queryForObject(countSql(where), Long.class, args.toArray());
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(limit);
        pageArgs.add(offset);
        List<AuditEntry> entries = jdbc.query(pageSql(where), (rs, i) -> entry(rs), pageArgs.toArray());
        return new AuditPage(entries, total == null ? 0 : total);
    }

    private static boolean unfiltered(AuditQuery query) {
        return query.from() == null && query.to() == null && query.initiatorId() == null && query.targetId() == null
                && query.activityCode() == null;
    }

    /**
     * Every entry of the account, newest first, by account_seq (V230: the account's rows numbered 1, 2, ... in
     * (global_index, sub) order without holes): the total is the highest number and the page the numbers
     * (total - offset - limit, total - offset], two index look-ups at any depth. Counting the keys and skipping the
     * offset over them cost ~50 ms and ~0.2 s in a 400,000-row account (docs/benchmarks.md, issue 12).
     */
    private AuditPage bySequence(String accountId, int offset, int limit) {
        long total = jdbc.queryForList(SEQUENCE_TOTAL_SQL, Long.class, accountId).stream().findFirst().orElse(0L);
        long upTo = total - offset;
        List<AuditEntry> entries = upTo <= 0 ? List.of()
                : jdbc.query(SEQUENCE_PAGE_SQL, (rs, i) -> entry(rs), accountId, upTo - limit, upTo);
        return new AuditPage(entries, total);
    }

    static String countSql(String where) {
        return "SELECT COUNT(*) FROM rm_audit" + where;
    }

    /**
     * One filtered page under {@code where} (the unfiltered one reads by number, {@link #bySequence}), newest first;
     * its last two parameters are the limit and the offset. The page's keys first, then its rows: the offset is
     * skipped in an index (index-only where the filters allow), and only the page's rows are read from the table.
     * Read whole, every skipped row was (a page half way into a 400,000-row account took ~0.5 s, docs/benchmarks.md).
     */
    static String pageSql(String where) {
        return """
                SELECT a.global_index, a.sub, a.occurred_at, a.activity, a.activity_code, a.initiator_id,
                       a.initiator_name, a.initiator_email, a.target_id, a.meta
                FROM (SELECT global_index, sub FROM rm_audit""" + where + """
                       ORDER BY global_index DESC, sub DESC LIMIT ? OFFSET ?) page
                JOIN rm_audit a ON a.global_index = page.global_index AND a.sub = page.sub
                ORDER BY a.global_index DESC, a.sub DESC""";
    }

    /** The WHERE clause of one account's entries under the query's filters; their values are added to {@code args}. */
    static String where(String accountId, AuditQuery query, List<Object> args) {
        StringBuilder where = new StringBuilder(" WHERE account_id = ?");
        args.add(accountId);
        if (query.from() != null) {
            where.append(" AND occurred_at >= ?");
            args.add(Timestamp.from(query.from()));
        }
        if (query.to() != null) {
            where.append(" AND occurred_at < ?");
            args.add(Timestamp.from(query.to()));
        }
        if (query.initiatorId() != null) {
            where.append(" AND initiator_id = ?");
            args.add(query.initiatorId());
        }
        if (query.targetId() != null) {
            where.append(" AND target_id = ?");
            args.add(query.targetId());
        }
        if (query.activityCode() != null) {
            where.append(" AND activity_code = ?");
            args.add(query.activityCode());
        }
        return where.toString();
    }

    /**
     * An entry from the columns global_index, sub, occurred_at, activity, activity_code, initiator_id,
     * initiator_name, initiator_email, target_id, meta (in this order, from column 1).
     */
    static AuditEntry entry(ResultSet rs) throws SQLException {
        return new AuditEntry(auditId(rs.getLong(1), rs.getInt(2)), instant(rs, 3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                Json.readStringMap(rs.getString(10)));
    }

    /** The event's global sequence; the further rows one event yields get a suffix so ids stay unique. */
    static String auditId(long globalIndex, int sub) {
        return sub == 0 ? Long.toString(globalIndex) : globalIndex + "-" + sub;
    }
}

package dev.tern.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.Ids;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelTestBase;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class AuditFeedTest extends ReadModelTestBase {
    private static final AuditQuery ALL = new AuditQuery(null, null, null, null, null, 0, AuditQuery.DEFAULT_LIMIT);

    @Autowired
    AuditFeed feed;

    @Test
    void entriesComeInTheOrderTheyWereWrittenSoALateLowerGlobalIndexIsNotSkipped() {
        String accountId = Ids.newId();
        // far beyond any event the suite appends: a real event's audit row at this id would be skipped as present
        long high = jdbc.queryForObject("SELECT nextval('domain_event_entry_global_index_seq')", Long.class)
                + 1_000_000_000L;
        // The processor takes in an event whose global index was drawn first only once its write commits, after a
        // later one: a reader resuming "after the highest global index seen" would never get it.
        insert(accountId, high, 2, "written-first");
        List<AuditFeed.Entry> first = feed.after(accountId, ALL, 0, 10);
        assertThat(first).extracting(e -> e.entry().targetId()).containsExactly("written-first");
        insert(accountId, high - 1, 1, "committed-late");

        List<AuditFeed.Entry> next = feed.after(accountId, ALL, first.get(0).cursor(), 10);
        assertThat(next).extracting(e -> e.entry().targetId()).containsExactly("committed-late");
        assertThat(next.get(0).entry().id()).isEqualTo(Long.toString(high - 1));
        assertThat(next.get(0).cursor()).isGreaterThan(first.get(0).cursor());
    }

    @Test
    void theExportPageEndsAtTheLimitAndStreamsEveryEntryUpToIt() {
        AccountHistory account = newAccount();
        List<String> groups = new ArrayList<>(List.of(account.allGroupId)); // created with the account
        for (int i = 0; i < 4; i++) {
            groups.add(account.createGroup("exported-" + i));
        }
        awaitProjection();
        AuditQuery groupsOnly = new AuditQuery(null, null, null, null, "group.add", 0, AuditQuery.DEFAULT_LIMIT);
        long end = feed.pageEnd(account.accountId, groupsOnly, 0, 3);
        List<String> firstPage = new ArrayList<>();
        feed.forEach(account.accountId, groupsOnly, 0, end, e -> firstPage.add(e.entry().targetId()));
        assertThat(firstPage).containsExactlyElementsOf(groups.subList(0, 3));

        long last = feed.pageEnd(account.accountId, groupsOnly, end, 3);
        List<String> secondPage = new ArrayList<>();
        feed.forEach(account.accountId, groupsOnly, end, last, e -> secondPage.add(e.entry().targetId()));
        assertThat(secondPage).containsExactlyElementsOf(groups.subList(3, 5));
        assertThat(feed.pageEnd(account.accountId, groupsOnly, last, 3)).as("nothing after the end").isEqualTo(last);
    }

    /** A row written by hand; its account_seq (V230, the unfiltered page's numbering) plays no part in the feed. */
    private void insert(String accountId, long globalIndex, long accountSeq, String target) {
        jdbc.update("""
                INSERT INTO rm_audit (global_index, sub, account_id, occurred_at, activity, activity_code, initiator_id,
                                      initiator_name, initiator_email, target_id, meta, account_seq)
                VALUES (?, 0, ?, ?, 'Group created', 'group.add', 'u', 'User', 'u@x', ?, '{}', ?)""",
                globalIndex, accountId, Timestamp.from(Instant.now()), target, accountSeq);
    }
}

package dev.tern.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountSettingsUpdated;
import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.values.AccountSettings;
import dev.tern.events.values.UserRole;
import dev.tern.query.AccountHistory;
import dev.tern.query.ReadModelRebuild;
import dev.tern.query.ReadModelTestBase;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The unfiltered audit page reads by account_seq (V230) instead of counting and skipping keys: it must answer exactly
 * what the count and OFFSET walk answered (the filtered pages still do), at every depth and past the end, with the
 * numbering kept by the processor (events that commit late included) and remade by a rebuild.
 */
class AuditSequenceTest extends ReadModelTestBase {
    private static final AuditQuery EVERYTHING = new AuditQuery(null, null, null, null, null, 0, 0);

    @Autowired
    ReadModelRebuild rebuild;
    @Autowired
    PlatformTransactionManager transactionManager;

    @Test
    void unfilteredPagesAreWhatTheCountAndOffsetWalkAnsweredAtEveryDepthAndPastTheEnd() throws Exception {
        AccountHistory account = newAccount();
        AccountHistory other = newAccount();
        interleavedHistory(account, other);
        commitLateAmid(account, other);
        awaitProjection();

        for (AccountHistory history : List.of(account, other)) {
            long total = offsetWalk(history.accountId, 0, 1).total();
            assertThat(total).as("rows of the account").isGreaterThan(15);
            for (int limit : List.of(1, 3, 7, 100)) {
                for (int offset = 0; offset <= total + limit + 1; offset++) {
                    AuditPage bySequence = auditReads.audit(history.accountId,
                            new AuditQuery(null, null, null, null, null, offset, limit));
                    AuditPage walked = offsetWalk(history.accountId, offset, limit);
                    assertThat(bySequence.total()).as("total at offset %d", offset).isEqualTo(walked.total());
                    assertThat(bySequence.entries()).as("page at offset %d, limit %d", offset, limit)
                            .isEqualTo(walked.entries());
                }
            }
        }
    }

    @Test
    void anEventCommittedAfterLaterOnesIsNumberedInItsPlaceAndALaterRebuildNumbersAlike() throws Exception {
        AccountHistory account = newAccount();
        AccountHistory other = newAccount();
        interleavedHistory(account, other);
        long late = commitLateAmid(account, other);
        awaitProjection();

        List<String> numbering = numbering(account.accountId);
        assertThat(numbering).as("numbered 1.. in (global_index, sub) order, the late event in its place")
                .isEqualTo(denseNumbering(account.accountId));
        assertThat(numbering).filteredOn(row -> row.startsWith(late + "/")).as("the late event's two rows").hasSize(2);
        assertThat(numbering(other.accountId)).isEqualTo(denseNumbering(other.accountId));

        // Damage the numbering every way a hand edit could: rows gone from the middle, numbers moved.
        jdbc.update("""
                DELETE FROM rm_audit WHERE account_id = ? AND account_seq IN (3, 4, 9)""", account.accountId);
        jdbc.update("UPDATE rm_audit SET account_seq = account_seq * 5 WHERE account_id = ? AND account_seq > 12",
                account.accountId);
        jdbc.update("UPDATE rm_audit SET account_seq = 1 WHERE account_id = ?", other.accountId);
        rebuild.rebuild();
        awaitProjection();

        assertThat(numbering(account.accountId)).as("after the rebuild").isEqualTo(numbering);
        assertThat(numbering(other.accountId)).isEqualTo(denseNumbering(other.accountId));
        AuditPage newest = auditReads.audit(account.accountId, EVERYTHING);
        assertThat(newest.entries()).isEqualTo(offsetWalk(account.accountId, 0, AuditQuery.DEFAULT_LIMIT).entries());
        assertThat(newest.total()).isEqualTo(numbering.size());
    }

    /**
     * Two accounts' events interleaved, some yielding several rows (one per changed setting, per group), so the
     * numbers of one account have holes in global_index and sub above 0.
     */
    private static void interleavedHistory(AccountHistory account, AccountHistory other) {
        String user = account.createUser("Uma", UserRole.USER);
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            groups.add(account.createGroup("a" + i));
            other.createGroup("b" + i);
        }
        account.append(new UserAutoGroupsChanged(account.accountId, user, groups.subList(0, 3), groups.subList(0, 3),
                List.of()));
        other.append(new AccountSettingsUpdated(other.accountId, AccountSettings.defaults(),
                new AccountSettings(false, 7200, true, 600)));
        account.append(new UserAutoGroupsChanged(account.accountId, user, groups.subList(2, 5), groups.subList(3, 5),
                groups.subList(0, 2)));
        for (int i = 6; i < 12; i++) {
            account.createGroup("a" + i);
            other.createGroup("b" + i);
        }
    }

    /**
     * An event of {@code account} (two rows) whose global index is drawn first but which commits only after two later
     * events of the account and one of {@code other} have been taken in. Returns its global index.
     */
    private long commitLateAmid(AccountHistory account, AccountHistory other) throws Exception {
        String[] later = new String[2];
        return LateCommit.append(account, new UserAutoGroupsChanged(account.accountId, "late-user",
                List.of("x", "y"), List.of("x", "y"), List.of()), transactionManager, jdbc, () -> {
                    later[0] = account.createGroup("after-the-late-one");
                    other.createGroup("other-after-the-late-one");
                    later[1] = account.createGroup("last");
                }, () -> jdbc.queryForObject("SELECT count(*) FROM rm_audit WHERE account_id = ? AND target_id IN "
                        + "(?, ?)", Long.class, account.accountId, later[0], later[1]) == 2);
    }

    /** What the page answered before V230, and still answers for filtered pages: a count and an OFFSET walk. */
    private AuditPage offsetWalk(String accountId, int offset, int limit) {
        List<Object> args = new ArrayList<>();
        String where = AuditReads.where(accountId, EVERYTHING, args);
        Long total = jdbc.queryForObject(AuditReads.countSql(where), Long.class, args.toArray());
        args.add(limit);
        args.add(offset);
        return new AuditPage(jdbc.query(AuditReads.pageSql(where), (rs, i) -> AuditReads.entry(rs), args.toArray()),
                total);
    }

    /** The account's rows as "global_index/sub=account_seq", in (global_index, sub) order. */
    private List<String> numbering(String accountId) {
        return jdbc.queryForList("""
                SELECT global_index || '/' || sub || '=' || account_seq FROM rm_audit WHERE account_id = ?
                ORDER BY global_index, sub""", String.class, accountId);
    }

    /** The numbering the account's rows must have: 1, 2, 3, ... in (global_index, sub) order. */
    private List<String> denseNumbering(String accountId) {
        return jdbc.queryForList("""
                SELECT global_index || '/' || sub || '=' || row_number() OVER (ORDER BY global_index, sub)
                FROM rm_audit WHERE account_id = ? ORDER BY global_index, sub""", String.class, accountId);
    }
}

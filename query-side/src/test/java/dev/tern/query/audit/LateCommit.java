package dev.tern.query.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.query.AccountHistory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * An event whose global index is drawn before later events' but whose transaction commits only after the processor
 * has taken those in, as two writers on one store can have it: the processor carries the late one's index as a gap
 * and takes the event in once it commits.
 */
final class LateCommit {
    private LateCommit() {
    }

    /**
     * Appends {@code payload} to {@code account} in a transaction held open while {@code meanwhile} appends later
     * events, until {@code takenIn} says the processor has handled them; then commits. Returns the late event's
     * global index.
     */
    static long append(AccountHistory account, Object payload, PlatformTransactionManager transactionManager,
                       JdbcTemplate jdbc, Runnable meanwhile, BooleanSupplier takenIn) throws Exception {
        TransactionTemplate transactions = new TransactionTemplate(transactionManager);
        CountDownLatch appended = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        long[] lateIndex = new long[1];
        CompletableFuture<Void> late = CompletableFuture.runAsync(() -> transactions.executeWithoutResult(status -> {
            account.append(payload);
            lateIndex[0] = jdbc.queryForObject("SELECT max(global_index) FROM domain_event_entry "
                    + "WHERE aggregate_identifier = ?", Long.class, account.accountId);
            appended.countDown();
            try {
                assertThat(commit.await(60, TimeUnit.SECONDS)).as("released in time").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }));
        try {
            assertThat(appended.await(30, TimeUnit.SECONDS)).as("the late event is appended").isTrue();
            meanwhile.run();
            await().atMost(Duration.ofSeconds(30)).until(takenIn::getAsBoolean);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM domain_event_entry WHERE global_index = ?",
                    Long.class, lateIndex[0])).as("the late event is not visible before it commits").isZero();
        } finally {
            commit.countDown();
        }
        late.get(60, TimeUnit.SECONDS);
        return lateIndex[0];
    }
}

package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.GroupCreated;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.Ids;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An event the read tables cannot take is skipped; it does not stop the read model. */
class PoisonEventTest extends ReadModelTestBase {

    @Test
    void anUnprojectableEventIsSkippedAndTheRestOfItsBatchStays() {
        AccountHistory account = newAccount();
        String before = account.createGroup("before");
        String poison = Ids.newId();
        // PostgreSQL text cannot hold NUL: the insert fails inside the batch transaction.
        account.append(new GroupCreated(account.accountId, poison, "bad\u0000name", GroupIssuer.API));
        String after = account.createGroup("after");

        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        assertThat(readModel.group(account.accountId, before)).isPresent();
        assertThat(readModel.group(account.accountId, after)).isPresent();
        assertThat(readModel.group(account.accountId, poison)).isEmpty();
        // all or nothing per event: no audit row for the skipped one either
        assertThat(readModel.audit(account.accountId, new AuditQuery(null, null, null, poison, null, 0, 10))
                .total()).isZero();
        assertThat(readModel.audit(account.accountId, new AuditQuery(null, null, null, after, null, 0, 10))
                .total()).isOne();
    }
}

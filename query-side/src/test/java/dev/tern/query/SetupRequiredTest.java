package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.UserDeleted;
import dev.tern.events.values.UserRole;
import dev.tern.query.users.UserReads;
import java.time.Duration;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** Needs a database no other test has put users in, hence a context (and database) of its own. */
@SpringBootTest(classes = QuerySideTestApplication.class, properties = "test.database=setup-required")
class SetupRequiredTest {
    @Autowired
    EventStore eventStore;
    @Autowired
    UserReads userReads;
    @Autowired
    ReadYourWrites readYourWrites;

    @Test
    void setupIsRequiredUntilTheFirstUserExists() {
        assertThat(readYourWrites.awaitCaughtUp(Duration.ZERO)).as("empty store").isTrue();
        assertThat(userReads.setupRequired()).isTrue();

        AccountHistory account = AccountHistory.create(eventStore);
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        assertThat(userReads.setupRequired()).as("an account without users").isTrue();

        String owner = account.createUser("Owner", UserRole.OWNER);
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        assertThat(userReads.setupRequired()).isFalse();

        account.append(new UserDeleted(account.accountId, owner));
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
        assertThat(userReads.setupRequired()).isTrue();
    }
}

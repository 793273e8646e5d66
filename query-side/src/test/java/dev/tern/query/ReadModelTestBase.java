package dev.tern.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A real read-model processor (tracking, JDBC token store) over a real JDBC event store on embedded
 * PostgreSQL. The context, and so the database, is shared by the test classes: each test uses fresh accounts.
 */
@SpringBootTest(classes = QuerySideTestApplication.class)
abstract class ReadModelTestBase {
    @Autowired
    EventStore eventStore;
    @Autowired
    ReadModel readModel;
    @Autowired
    ReadYourWrites readYourWrites;
    @Autowired
    JdbcTemplate jdbc;

    AccountHistory newAccount() {
        return AccountHistory.create(eventStore);
    }

    void awaitProjection() {
        assertThat(readYourWrites.awaitCaughtUp(Duration.ofSeconds(30)))
                .as("read model caught up with the event store").isTrue();
    }
}

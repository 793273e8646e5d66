package dev.tern.api.outage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probe on a data source that answers, refuses, or hangs (never returns a connection). */
class DatabaseAvailabilityTest {
    enum Mode { ANSWERS, REFUSES, HANGS }

    volatile Mode mode = Mode.ANSWERS;
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger recoveries = new AtomicInteger();
    final DatabaseAvailability availability = new DatabaseAvailability(dataSource(), Clock.systemUTC());

    @AfterEach
    void stop() {
        release.countDown();
        availability.stop();
    }

    @Test
    void aHungDatabaseIsDownWithinTheProbeBoundAndUpAgainWhenItAnswers() {
        availability.onRecovery(recoveries::incrementAndGet);
        availability.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> availability.isAvailable());

        mode = Mode.HANGS;
        long hungAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> !availability.isAvailable());
        // probe interval plus probe timeout, with room for a loaded machine
        assertThat(Duration.ofNanos(System.nanoTime() - hungAt)).isLessThan(Duration.ofSeconds(3));
        assertThat(availability.outage().orElseThrow().reason()).contains("no answer");

        mode = Mode.ANSWERS;
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> availability.isAvailable());
        assertThat(recoveries).hasValue(1);
    }

    @Test
    void aRefusedConnectionIsDownWithItsReason() {
        availability.start();
        mode = Mode.REFUSES;
        await().atMost(Duration.ofSeconds(10)).until(() -> !availability.isAvailable());
        assertThat(availability.outage().orElseThrow().reason()).contains("Connection refused");
    }

    private DataSource dataSource() {
        Statement statement = (Statement) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{Statement.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "execute" -> true;
                    default -> null;
                });
        Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{Connection.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "createStatement" -> statement;
                    default -> null;
                });
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("getConnection")) {
                        return null;
                    }
                    switch (mode) {
                        case HANGS -> release.await();
                        case REFUSES -> throw new SQLException("Connection refused", "08001");
                        default -> { }
                    }
                    return connection;
                });
    }
}

package dev.tern.query.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.ReadModelTestBase;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Writes held behind a rebuild: nothing written until the flush, then every statement of every shape in the order it
 * was made, its arguments arriving exactly as JDBC parameters would; other threads unheld.
 */
class WriteBehindTest extends ReadModelTestBase {
    private static final String INSERT = """
            INSERT INTO write_behind_test (k, v, flag, at, doc) VALUES (?, ?, ?, ?, ?::jsonb)
            ON CONFLICT DO NOTHING""";
    private static final String DELETE = "DELETE FROM write_behind_test WHERE k = ?";
    private static final String BUMP = "UPDATE write_behind_test SET v = v - ? WHERE k = ? AND v IS NOT NULL";

    @Autowired
    PlatformTransactionManager transactionManager;

    @BeforeEach
    void table() {
        jdbc.execute("""
                CREATE TABLE write_behind_test (k TEXT PRIMARY KEY, v INTEGER, flag BOOLEAN, at TIMESTAMPTZ,
                                                doc JSONB)""");
    }

    @AfterEach
    void dropTable() {
        WriteBehind.stop();
        jdbc.execute("DROP TABLE write_behind_test");
    }

    @Test
    void heldStatementsRunAtTheFlushInTheirOrderAcrossShapes() {
        WriteBehind writes = new WriteBehind(jdbc);
        WriteBehind.hold();
        writes.update(INSERT, "a", 1, true, null, "[]");
        writes.update(INSERT, "b", 1, false, null, "[]");
        writes.update(DELETE, "a");
        writes.update(INSERT, "a", 2, true, null, "[]");
        writes.update(INSERT, "a", 3, true, null, "[]");
        writes.update(BUMP, -5, "a");
        writes.update(DELETE, "b");
        assertThat(rows()).as("nothing written before the flush").isEmpty();

        writes.flush();
        // in any other order "a" would be missing, be 1, 3 or 2, or "b" would stay
        assertThat(rows()).containsExactly("a=7");
        writes.flush();
        assertThat(rows()).as("a flush writes each statement once").containsExactly("a=7");

        WriteBehind.stop();
        writes.update(INSERT, "c", 1, true, null, "[]");
        assertThat(rows()).as("written at once after stop").containsExactly("a=7", "c=1");
    }

    /** Event data is any text: quotes, backslashes, placeholders, comments and non-Latin script arrive unchanged. */
    @Test
    void argumentsArriveAsTheyWouldAsParameters() {
        String text = "O'Brien's \\ laptop; DROP TABLE write_behind_test; -- ? $$ 'x' \"y\" π 日本 \t\n end\\";
        String json = "[\"it's\", \"a\\\\b\", \"?\"]";
        Timestamp at = Timestamp.from(Instant.parse("2026-03-04T05:06:07.123456Z"));
        WriteBehind writes = new WriteBehind(jdbc);
        WriteBehind.hold();
        writes.update(INSERT, text, Integer.MIN_VALUE, false, at, json);
        writes.update(INSERT, "nulls", null, null, null, null);
        writes.flush();
        WriteBehind.stop();
        jdbc.update(INSERT, "param", Integer.MIN_VALUE, false, at, json);

        List<String> held = jdbc.queryForList("SELECT concat_ws('|', v, flag, at, doc) FROM write_behind_test "
                + "WHERE k = ?", String.class, text);
        List<String> parameters = jdbc.queryForList("SELECT concat_ws('|', v, flag, at, doc) FROM write_behind_test "
                + "WHERE k = 'param'", String.class);
        assertThat(held).hasSize(1).isEqualTo(parameters);
        assertThat(jdbc.queryForObject("SELECT doc->>0 FROM write_behind_test WHERE k = ?", String.class, text))
                .isEqualTo("it's");
        assertThat(jdbc.queryForObject("SELECT at FROM write_behind_test WHERE k = ?", Timestamp.class, text))
                .isEqualTo(at);
        assertThat(jdbc.queryForObject("SELECT num_nulls(v, flag, at, doc) FROM write_behind_test WHERE k = 'nulls'",
                Integer.class)).isEqualTo(4);
    }

    /** Statement shapes are prepared once per hold; the last flush of a hold drops them from the connection. */
    @Test
    void theLastFlushReleasesThePreparedStatements() {
        new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
            WriteBehind writes = new WriteBehind(jdbc);
            WriteBehind.hold();
            try {
                writes.update(INSERT, "a", 1, true, null, "[]");
                writes.update(INSERT, "b", 2, true, null, "[]");
                writes.flush();
                assertThat(preparedHere()).as("one statement per shape").isEqualTo(1);
                writes.update(BUMP, 1, "a");
                writes.update(INSERT, "c", 3, true, null, "[]");
                writes.flushAndRelease();
                assertThat(preparedHere()).isZero();
            } finally {
                WriteBehind.stop();
            }
        });
        assertThat(rows()).containsExactly("a=0", "b=2", "c=3");
    }

    @Test
    void onlyTheHoldingThreadIsHeld() throws Exception {
        WriteBehind writes = new WriteBehind(jdbc);
        WriteBehind.hold();
        CompletableFuture.runAsync(() -> writes.update(INSERT, "live", 1, true, null, "[]")).get();
        assertThat(rows()).containsExactly("live=1");
    }

    private int preparedHere() {
        return jdbc.queryForObject("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'tern_write_behind_%'",
                Integer.class);
    }

    private List<String> rows() {
        return jdbc.queryForList("SELECT k || '=' || v FROM write_behind_test ORDER BY k", String.class);
    }
}

package dev.tern.query.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.ReadModelTestBase;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Held statements: nothing written until the flush, then every one in the order it was made; other threads unheld. */
class HeldStatementsTest extends ReadModelTestBase {
    private static final String INSERT = "INSERT INTO held_statements_test (k, v) VALUES (?, ?) ON CONFLICT DO NOTHING";
    private static final String DELETE = "DELETE FROM held_statements_test WHERE k = ?";

    @BeforeEach
    void table() {
        jdbc.execute("CREATE TABLE held_statements_test (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
    }

    @AfterEach
    void dropTable() {
        jdbc.execute("DROP TABLE held_statements_test");
    }

    @Test
    void heldStatementsRunAtTheFlushInTheirOrder() {
        HeldStatements held = new HeldStatements(jdbc);
        held.hold();
        try {
            held.update(INSERT, "a", 1);
            held.update(INSERT, "b", 1);
            held.update(DELETE, "a");
            held.update(INSERT, "a", 2);
            held.update(INSERT, "a", 3);
            held.update(DELETE, "b");
            assertThat(rows()).as("nothing written before the flush").isEmpty();

            held.flush();
            // in any other order "a" would be missing, be 1 or 3, or "b" would stay
            assertThat(rows()).containsExactly("a=2");
            held.flush();
            assertThat(rows()).as("a flush writes each statement once").containsExactly("a=2");
        } finally {
            held.stop();
        }
        held.update(INSERT, "c", 1);
        assertThat(rows()).as("written at once after stop").containsExactly("a=2", "c=1");
    }

    @Test
    void onlyTheHoldingThreadIsHeld() throws Exception {
        HeldStatements held = new HeldStatements(jdbc);
        held.hold();
        try {
            CompletableFuture.runAsync(() -> held.update(INSERT, "live", 1)).get();
            assertThat(rows()).containsExactly("live=1");
        } finally {
            held.stop();
        }
    }

    private List<String> rows() {
        return jdbc.queryForList("SELECT k || '=' || v FROM held_statements_test ORDER BY k", String.class);
    }
}

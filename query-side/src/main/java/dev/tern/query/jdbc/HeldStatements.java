package dev.tern.query.jdbc;

import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The writes a projection holds while a rebuild replays into it ({@link dev.tern.query.RebuildHeldWrites}), on the
 * rebuilding thread only: every other thread (the live processor) writes at once. A flush writes them in the order
 * they were made, each run of consecutive executions of one statement as one JDBC batch (one round trip).
 */
public final class HeldStatements {
    private record Held(String sql, Object[] args) {
    }

    private final JdbcTemplate jdbc;
    private final ThreadLocal<List<Held>> held = new ThreadLocal<>();

    public HeldStatements(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Holds this thread's statements from now on. */
    public void hold() {
        held.set(new ArrayList<>());
    }

    /** Executes the statement, or holds it while this thread holds writes. */
    public void update(String sql, Object... args) {
        List<Held> statements = held.get();
        if (statements == null) {
            jdbc.update(sql, args);
        } else {
            statements.add(new Held(sql, args));
        }
    }

    /** Executes what this thread holds, in order. */
    public void flush() {
        List<Held> statements = held.get();
        if (statements == null || statements.isEmpty()) {
            return;
        }
        int start = 0;
        for (int i = 1; i <= statements.size(); i++) {
            if (i == statements.size() || !statements.get(i).sql().equals(statements.get(start).sql())) {
                jdbc.batchUpdate(statements.get(start).sql(),
                        statements.subList(start, i).stream().map(Held::args).toList());
                start = i;
            }
        }
        statements.clear();
    }

    /** Executes each statement at once again; what is still held is dropped (the rebuild rolls back). */
    public void stop() {
        held.remove();
    }
}

package dev.tern.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.query.audit.AuditEntry;
import dev.tern.query.audit.AuditFeed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;

/** The stream's loop on a fake clock: what it writes when, and when it stops. */
class AuditStreamSessionTest {
    private static final AuditStreamSession.Timing TIMING = new AuditStreamSession.Timing(Duration.ofMillis(500),
            Duration.ofSeconds(15), Duration.ofSeconds(10));

    private final AtomicLong now = new AtomicLong();
    private final List<String> written = new ArrayList<>();
    private boolean completed;
    /** How long the fake consumer takes to read one entry. */
    private Duration perEntry = Duration.ZERO;

    @Test
    void writesEveryEntryOnceInCursorOrderThenHeartbeatsWhileIdle() {
        List<AuditFeed.Entry> feed = entries(1, 250);
        AuditStreamSession[] session = new AuditStreamSession[1];
        session[0] = session(feed, 0, () -> {
            if (now.get() > Duration.ofSeconds(31).toNanos()) {
                session[0].stop();
            }
        });
        session[0].run();
        List<String> events = written.stream().filter(w -> w.startsWith("event ")).toList();
        assertThat(events).hasSize(250);
        assertThat(events.get(0)).isEqualTo("event 1");
        assertThat(events.get(249)).isEqualTo("event 250");
        // "connected" at once, then one keep-alive per 15 s of silence, not one per poll.
        assertThat(written.stream().filter(w -> w.startsWith("comment "))).containsExactly("comment connected",
                "comment keep-alive", "comment keep-alive");
        assertThat(completed).isTrue();
    }

    @Test
    void resumesAfterItsStartingCursor() {
        AuditStreamSession[] session = new AuditStreamSession[1];
        session[0] = session(entries(1, 10), 7, () -> session[0].stop());
        session[0].run();
        assertThat(written.stream().filter(w -> w.startsWith("event "))).containsExactly("event 8", "event 9",
                "event 10");
    }

    @Test
    void aConsumerTooSlowForOnePageIsCutOffWithAFinalEventNamingItsCursor() {
        perEntry = Duration.ofMillis(150); // a page of 100 takes 15 s, more than the 10 s allowed
        AuditStreamSession session = session(entries(1, 300), 0, () -> {
            throw new AssertionError("a cut-off stream must not wait for more");
        });
        session.run();
        List<String> events = written.stream().filter(w -> w.startsWith("event ")).toList();
        assertThat(events).hasSize(AuditStreamSession.PAGE);
        assertThat(written.get(written.size() - 1)).startsWith("last cut-off")
                .contains("last_event_id=" + AuditStreamSession.PAGE).contains("code=429");
        assertThat(completed).isTrue();
    }

    @Test
    void aDatabaseOutageKeepsTheStreamOpenOnHeartbeatsAndItGoesOnAfterwards() {
        List<AuditFeed.Entry> feed = entries(1, 3);
        boolean[] databaseAway = {true};
        AuditStreamSession[] session = new AuditStreamSession[1];
        session[0] = new AuditStreamSession((cursor, limit) -> {
            if (databaseAway[0]) {
                throw new DataAccessResourceFailureException("connection refused");
            }
            return feed.stream().filter(e -> e.cursor() > cursor).limit(limit).toList();
        }, sink(), 0, TIMING, now::get, duration -> {
            now.addAndGet(duration.toNanos());
            if (now.get() > Duration.ofSeconds(40).toNanos()) {
                databaseAway[0] = false;
            }
            if (now.get() > Duration.ofSeconds(45).toNanos()) {
                session[0].stop();
            }
        });
        session[0].run();
        assertThat(written.subList(0, 3)).containsExactly("comment connected", "comment keep-alive",
                "comment keep-alive");
        assertThat(written.stream().filter(w -> w.startsWith("event "))).containsExactly("event 1", "event 2",
                "event 3");
    }

    @Test
    void aConsumerThatWentAwayEndsTheLoopAndTheContainerEndsTheResponse() {
        List<AuditFeed.Entry> feed = entries(1, 5);
        AuditStreamSession.Sink gone = new AuditStreamSession.Sink() {
            @Override
            public void event(long id, Object data) throws java.io.IOException {
                throw new java.io.IOException("Broken pipe");
            }

            @Override
            public void comment(String text) {
                written.add("comment " + text);
            }

            @Override
            public void last(String name, Object data) {
                written.add("last " + name);
            }

            @Override
            public void complete() {
                completed = true;
            }
        };
        new AuditStreamSession((cursor, limit) -> feed.stream().filter(e -> e.cursor() > cursor).limit(limit)
                .toList(), gone, 0, TIMING, now::get, duration -> {
                    throw new AssertionError("a broken stream must not wait for more");
                }).run();
        assertThat(written).containsExactly("comment connected");
        assertThat(completed).isFalse();
    }

    private AuditStreamSession session(List<AuditFeed.Entry> feed, long after, Runnable onPause) {
        return new AuditStreamSession(
                (cursor, limit) -> feed.stream().filter(e -> e.cursor() > cursor).limit(limit).toList(),
                sink(), after, TIMING, now::get, duration -> {
                    now.addAndGet(duration.toNanos());
                    onPause.run();
                });
    }

    private AuditStreamSession.Sink sink() {
        return new AuditStreamSession.Sink() {
            @Override
            public void event(long id, Object data) {
                now.addAndGet(perEntry.toNanos());
                written.add("event " + id);
            }

            @Override
            public void comment(String text) {
                written.add("comment " + text);
            }

            @Override
            public void last(String name, Object data) {
                written.add("last " + name + " " + data);
            }

            @Override
            public void complete() {
                completed = true;
            }
        };
    }

    private static List<AuditFeed.Entry> entries(long first, long last) {
        List<AuditFeed.Entry> out = new ArrayList<>();
        for (long cursor = first; cursor <= last; cursor++) {
            out.add(new AuditFeed.Entry(cursor, new AuditEntry(Long.toString(cursor * 3), Instant.EPOCH, "Group created",
                    "group.add", "u", "User", "u@x", "g" + cursor, Map.of())));
        }
        return out;
    }
}

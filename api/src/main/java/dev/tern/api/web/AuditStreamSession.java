package dev.tern.api.web;

import dev.tern.query.audit.AuditFeed;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.springframework.dao.DataAccessException;

/**
 * One open audit stream: reads the feed after its cursor a page at a time and writes each entry as it comes, so the
 * server holds at most one page per stream however far behind the consumer is (PostgreSQL is the buffer). A comment
 * line goes out when nothing was written for {@link Timing#heartbeat}, so proxies keep the connection open. A
 * consumer that takes longer than {@link Timing#slowPage} to take in one page is cut off with a final
 * {@code cut-off} event naming the cursor to resume after. While PostgreSQL is away the stream stays open on
 * heartbeats and goes on where it was once the database answers again.
 */
final class AuditStreamSession implements Runnable {
    /** Entries read and written per step. */
    static final int PAGE = 100;
    static final String CUT_OFF_EVENT = "cut-off";

    /** The intervals of one stream; tern-server uses {@link #DEFAULT}. */
    record Timing(Duration poll, Duration heartbeat, Duration slowPage) {
        static final Timing DEFAULT = new Timing(Duration.ofMillis(500), Duration.ofSeconds(15),
                Duration.ofSeconds(10));
    }

    /** The feed after a cursor, up to a limit (the caller's account and filters applied). */
    interface Source {
        List<AuditFeed.Entry> after(long cursor, int limit);
    }

    /** Where the stream's lines go: the SSE response. Every method may block while the consumer does not read. */
    interface Sink {
        void event(long id, Object data) throws IOException;

        void comment(String text) throws IOException;

        void last(String name, Object data) throws IOException;

        /** Ends the response normally. Not called once a write failed: the container ends that response. */
        void complete();
    }

    /** Pauses between polls; ends early when the session is stopped. */
    interface Pause {
        void await(Duration duration) throws InterruptedException;
    }

    private final Source source;
    private final Sink sink;
    private final Timing timing;
    private final LongSupplier nanoTime;
    private final Pause pause;
    private volatile boolean stopped;
    private long cursor;

    AuditStreamSession(Source source, Sink sink, long after, Timing timing, LongSupplier nanoTime, Pause pause) {
        this.source = source;
        this.sink = sink;
        this.cursor = after;
        this.timing = timing;
        this.nanoTime = nanoTime;
        this.pause = pause;
    }

    /** Asks the loop to end; it does at its next step. */
    void stop() {
        stopped = true;
    }

    long cursor() {
        return cursor;
    }

    @Override
    public void run() {
        boolean broken = false;
        try {
            // Sends the headers at once, so a client (or a proxy) sees the stream open before the first entry.
            sink.comment("connected");
            long lastWrite = nanoTime.getAsLong();
            while (!stopped) {
                List<AuditFeed.Entry> page = read();
                if (!page.isEmpty()) {
                    long started = nanoTime.getAsLong();
                    for (AuditFeed.Entry entry : page) {
                        sink.event(entry.cursor(), Json.Event.of(entry.entry()));
                        cursor = entry.cursor();
                    }
                    lastWrite = nanoTime.getAsLong();
                    if (lastWrite - started > timing.slowPage().toNanos()) {
                        sink.last(CUT_OFF_EVENT, Map.of("message", "the consumer reads too slowly; reconnect with "
                                + "Last-Event-ID: " + cursor + " or use /api/events/audit/export",
                                "code", 429, "last_event_id", Long.toString(cursor)));
                        return;
                    }
                    continue;
                }
                if (nanoTime.getAsLong() - lastWrite >= timing.heartbeat().toNanos()) {
                    sink.comment("keep-alive");
                    lastWrite = nanoTime.getAsLong();
                }
                pause.await(timing.poll());
            }
        } catch (IOException | RuntimeException gone) {
            // The consumer went away (or the response broke): nothing to tell anyone, the slot is freed by the caller.
            broken = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!broken) {
                sink.complete();
            }
        }
    }

    private List<AuditFeed.Entry> read() {
        try {
            return source.after(cursor, PAGE);
        } catch (DataAccessException databaseAway) {
            // PostgreSQL is away (the outage probe says so to everyone else): keep the stream, retry at the next poll.
            return List.of();
        }
    }
}

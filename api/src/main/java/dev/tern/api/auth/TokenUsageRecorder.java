package dev.tern.api.auth;

import dev.tern.query.users.TokenUsageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Keeps a token's {@code last_used} current without a database write per request: a use is written only when
 * this node has not written one for the token within {@link #WRITE_INTERVAL}, and the write runs on a background
 * thread so the request does not wait for it. {@code last_used} is therefore up to a minute (plus the write)
 * behind, which is all NetBird's field promises.
 */
@Component
class TokenUsageRecorder implements DisposableBean {
    static final Duration WRITE_INTERVAL = Duration.ofMinutes(1);
    /** Beyond this many remembered tokens, entries too old to suppress anything are dropped. */
    static final int PRUNE_ABOVE = 10_000;

    private static final Logger log = LoggerFactory.getLogger(TokenUsageRecorder.class);

    private final TokenUsageStore store;
    private final Clock clock;
    private final Executor writer;
    /** Token id to the time of the last use this node has sent to the store. */
    private final ConcurrentHashMap<String, Instant> lastWritten = new ConcurrentHashMap<>();

    @Autowired
    TokenUsageRecorder(TokenUsageStore store) {
        this(store, Clock.systemUTC(), Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "token-usage-writer");
            thread.setDaemon(true);
            return thread;
        }));
    }

    TokenUsageRecorder(TokenUsageStore store, Clock clock, Executor writer) {
        this.store = store;
        this.clock = clock;
        this.writer = writer;
    }

    /** Notes that the token authenticated a request now; writes it unless written within the last minute. */
    void used(String tokenId) {
        Instant now = clock.instant();
        Instant previous = lastWritten.get(tokenId);
        if (previous != null && now.isBefore(previous.plus(WRITE_INTERVAL))) {
            return;
        }
        // Only the request that swaps the entry writes; concurrent requests of the same token skip.
        boolean claimed = previous == null ? lastWritten.putIfAbsent(tokenId, now) == null
                : lastWritten.replace(tokenId, previous, now);
        if (!claimed) {
            return;
        }
        pruneIfLarge(now);
        try {
            writer.execute(() -> write(tokenId, now));
        } catch (RejectedExecutionException shuttingDown) {
            lastWritten.remove(tokenId, now);
        }
    }

    private void write(String tokenId, Instant at) {
        try {
            store.markUsed(tokenId, at);
        } catch (RuntimeException e) {
            // Forget the write so the token's next request tries again.
            lastWritten.remove(tokenId, at);
            log.warn("could not record use of token {}: {}", tokenId, e.toString());
        }
    }

    private void pruneIfLarge(Instant now) {
        if (lastWritten.size() > PRUNE_ABOVE) {
            Instant stale = now.minus(WRITE_INTERVAL);
            lastWritten.values().removeIf(at -> at.isBefore(stale));
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        if (writer instanceof ExecutorService service) {
            service.shutdown(); // lets queued writes finish
            service.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}

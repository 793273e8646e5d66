package dev.tern.query;

import java.time.Duration;

/**
 * Read-your-writes for the REST API: after a command has been handled, wait (bounded) until every read-model
 * projection has processed all events that were in the store when this was called.
 */
public interface ReadYourWrites {
    /** @return true when caught up, false when the timeout passed first. */
    boolean awaitCaughtUp(Duration timeout);
}

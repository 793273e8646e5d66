package dev.tern.api.commands;

import dev.tern.events.CommandRejected;
import dev.tern.events.values.InvalidValueException;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.modelling.command.ConcurrencyException;

/**
 * Axon may hand a handler's exception back as is or wrapped (execution exceptions, remote details). Clients
 * must see the rejection the aggregate meant, so we dig it out.
 */
public final class CommandFailures {
    private CommandFailures() {
    }

    /** The innermost meaningful exception: a rejection, an invalid value or a concurrency clash; else {@code e}. */
    public static RuntimeException unwrap(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 10; depth++) {
            if (t instanceof CommandRejected || t instanceof InvalidValueException || t instanceof ConcurrencyException) {
                return (RuntimeException) t;
            }
            if (t instanceof CommandExecutionException cee) {
                Object details = cee.getDetails().orElse(null);
                if (details instanceof CommandRejected rejected) {
                    return rejected;
                }
            }
            if (t.getCause() == t) {
                break;
            }
            t = t.getCause();
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e);
    }
}

package dev.tern.api.config;

/**
 * A reason tern-server cannot start that the operator can act on (data dir in use, database unreachable, ...).
 * Its message is one line; {@link StartupFailureAnalyzer} turns it into that one line on stderr instead of a
 * stack trace.
 */
public class StartupFailure extends RuntimeException {
    public StartupFailure(String message) {
        super(message);
    }

    public StartupFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

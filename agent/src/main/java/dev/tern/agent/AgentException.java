package dev.tern.agent;

/**
 * A failure the user can act on, with the process exit code that reports it. Messages never contain secrets.
 */
class AgentException extends RuntimeException {
    /** Generic failure. */
    static final int FAILURE = 1;
    /** Not root, or wireguard-go / ip / nft / wg missing. */
    static final int ENVIRONMENT = 3;
    /** Management unreachable or refused us. */
    static final int MANAGEMENT = 4;
    /** No daemon running for this config dir. */
    static final int NOT_RUNNING = 5;

    private final int exitCode;

    AgentException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    AgentException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}

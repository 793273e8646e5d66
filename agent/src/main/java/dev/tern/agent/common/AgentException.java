package dev.tern.agent.common;

/**
 * A failure the user can act on, with the process exit code that reports it. Messages never contain secrets.
 */
public class AgentException extends RuntimeException {
    /** Generic failure. */
    public static final int FAILURE = 1;
    /** Not root, or wireguard-go / ip / nft / wg missing. */
    public static final int ENVIRONMENT = 3;
    /** Management unreachable or refused us. */
    public static final int MANAGEMENT = 4;
    /** No daemon running for this config dir. */
    public static final int NOT_RUNNING = 5;

    private final int exitCode;

    public AgentException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public AgentException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}

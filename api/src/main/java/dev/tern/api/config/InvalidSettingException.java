package dev.tern.api.config;

/**
 * A configuration value that tern-server cannot start with. The message is a complete, single-line explanation
 * meant for the operator (it names the variable), so start-up prints it as is and never a stack trace.
 */
public class InvalidSettingException extends RuntimeException {
    public InvalidSettingException(String message) {
        super(message);
    }
}

package dev.tern.events;

/**
 * A command the aggregate refused, with the reason a client can act on. The API maps the reason to a status
 * (INVALID 400, NOT_FOUND 404, CONFLICT 409, PRECONDITION_FAILED 412, FORBIDDEN 403). A rejected command
 * appends no event.
 */
public class CommandRejected extends RuntimeException {
    public enum Reason { INVALID, NOT_FOUND, CONFLICT, PRECONDITION_FAILED, FORBIDDEN }

    private final Reason reason;

    public CommandRejected(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public static CommandRejected invalid(String message) {
        return new CommandRejected(Reason.INVALID, message);
    }

    public static CommandRejected notFound(String message) {
        return new CommandRejected(Reason.NOT_FOUND, message);
    }

    public static CommandRejected conflict(String message) {
        return new CommandRejected(Reason.CONFLICT, message);
    }

    public static CommandRejected preconditionFailed(String message) {
        return new CommandRejected(Reason.PRECONDITION_FAILED, message);
    }

    public static CommandRejected forbidden(String message) {
        return new CommandRejected(Reason.FORBIDDEN, message);
    }
}

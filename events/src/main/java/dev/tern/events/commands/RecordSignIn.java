package dev.tern.events.commands;

/**
 * Record a sign-in of a local user at the embedded OpenID Provider, or a refused one ({@code reason} from a fixed
 * set). The provider decides on the password; the account records it in the audit trail.
 */
public record RecordSignIn(String accountId, String userId, boolean succeeded, String reason) implements AccountCommand {
}

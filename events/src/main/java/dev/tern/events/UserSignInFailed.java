package dev.tern.events;

/**
 * A sign-in as a known local user was refused: {@code reason} is one of a fixed set ({@code wrong_password},
 * {@code wrong_code}, {@code blocked}), never what was typed.
 */
public record UserSignInFailed(String accountId, String userId, String reason) implements AccountEvent {
}

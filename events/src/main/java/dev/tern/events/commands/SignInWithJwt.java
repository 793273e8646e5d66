package dev.tern.events.commands;

import java.util.List;

/**
 * A verified JWT signs a user in: provisions the user on first sign-in (role user, name and e-mail from the claims;
 * the identity provider is the actor). Refused, with no event, for a blocked or deleted user and, with JWT groups on
 * and allowed groups set, for a token whose {@code groupNames} (its group claim, null when absent) names none of them.
 */
public record SignInWithJwt(String accountId, String userId, String email, String name, List<String> groupNames)
        implements AccountCommand {
}

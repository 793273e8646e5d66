package dev.tern.events.values;

import java.util.List;

/**
 * NetBird's JWT group settings of an account: with {@code enabled}, the groups named in the token's
 * {@code claimName} claim are created (issued "jwt") and the user's JWT group memberships follow each token; a
 * non-empty {@code allowGroups} lets only members of one of those groups sign in.
 */
public record JwtGroupSettings(boolean enabled, String claimName, List<String> allowGroups) {
    public JwtGroupSettings {
        claimName = claimName == null ? "" : claimName;
        allowGroups = allowGroups == null ? List.of() : List.copyOf(allowGroups);
    }

    public static JwtGroupSettings defaults() {
        return new JwtGroupSettings(false, "", List.of());
    }
}

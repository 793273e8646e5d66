package dev.tern.api.signin;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.tern.api.auth.Caller;
import dev.tern.api.commands.CommandService;
import dev.tern.events.AllGroup;
import dev.tern.events.CommandRejected;
import dev.tern.events.commands.RecordSignIn;
import dev.tern.events.commands.SignInWithJwt;
import dev.tern.events.commands.SyncJwtGroups;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.JwtGroupSettings;
import dev.tern.query.identity.IdentityProviderReads;
import dev.tern.query.users.UserReads;
import dev.tern.query.users.UserView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.stereotype.Component;

/**
 * What a verified JWT does to the account: provisions its user on first sign-in (the provider is the actor), keeps
 * the user's JWT groups in step with the token (the user is the actor), and refuses blocked users and, with
 * {@code jwt_allow_groups}, users in none of the allowed groups (403, as NetBird). A request whose user and groups
 * are as the token says sends no command at all.
 */
@Component
class JwtSignIn {
    /** A claim with more group names than this is cut: NetBird's limit on a user's auto-groups is far lower. */
    static final int MAX_CLAIM_GROUPS = 1000;

    private final UserReads users;
    private final IdentityProviderReads identity;
    private final CommandService commands;

    JwtSignIn(UserReads users, IdentityProviderReads identity, CommandService commands) {
        this.users = users;
        this.identity = identity;
        this.commands = commands;
    }

    /** A token of the embedded IdP: its subject is a Tern user id; a user that no longer exists is refused. */
    JwtAuthenticator.Outcome embeddedUser(String userId, JWTClaimsSet claims, String sourceAddress) {
        Optional<String> account = identity.accountOfUser(userId);
        if (account.isEmpty()) {
            return JwtAuthenticator.Outcome.unauthorized("user does not exist");
        }
        return checkedAndSynced(account.get(), users.user(account.get(), userId).orElse(null), claims,
                sourceAddress);
    }

    JwtAuthenticator.Outcome externalUser(String accountId, String userId, JWTClaimsSet claims, Actor provider,
                                          String sourceAddress) {
        UserView user = users.user(accountId, userId).orElse(null);
        if (user == null) {
            JwtGroupSettings settings = identity.jwtGroupSettings(accountId);
            try {
                commands.send(new SignInWithJwt(accountId, userId, string(claims, "email"), string(claims, "name"),
                        settings.enabled() ? groups(claims, settings.claimName()) : null), provider, sourceAddress);
            } catch (CommandRejected e) {
                return JwtAuthenticator.Outcome.refused(
                        e.reason() == CommandRejected.Reason.FORBIDDEN ? 403 : 401, e.getMessage());
            }
            user = users.user(accountId, userId).orElse(null);
        }
        return checkedAndSynced(accountId, user, claims, sourceAddress);
    }

    private JwtAuthenticator.Outcome checkedAndSynced(String accountId, UserView user, JWTClaimsSet claims,
                                                      String sourceAddress) {
        if (user == null) {
            return JwtAuthenticator.Outcome.unauthorized("user does not exist");
        }
        if (user.blocked()) {
            return JwtAuthenticator.Outcome.refused(403, "user is blocked");
        }
        JwtGroupSettings settings = identity.jwtGroupSettings(accountId);
        List<String> named = settings.enabled() ? groups(claims, settings.claimName()) : null;
        if (settings.enabled() && !settings.allowGroups().isEmpty()
                && (named == null || settings.allowGroups().stream().noneMatch(named::contains))) {
            return JwtAuthenticator.Outcome.refused(403, "user is not a member of any group allowed to sign in");
        }
        if (named != null && groupsDiffer(identity.groupNamesIssuedByJwt(accountId, user.autoGroups()), named)) {
            Actor self = new Actor(Actor.Type.USER, user.id(), user.name(), user.email());
            try {
                commands.send(new SyncJwtGroups(accountId, user.id(), named), self, sourceAddress);
            } catch (CommandRejected e) {
                return JwtAuthenticator.Outcome.unauthorized("group sync failed: " + e.getMessage());
            }
        }
        return new JwtAuthenticator.Outcome(new Caller(accountId, user.id(), user.name(), user.email(), user.role(),
                user.serviceUser(), null), 200, null);
    }

    /**
     * The audit's sign-in of a user whose token is used for the first time, with the user as the actor. The request
     * does not wait for it: it is a fact for the audit trail, not something the request depends on.
     */
    void recordSignIn(Caller caller, String sourceAddress) {
        commands.sendWithoutWaitingForReads(new RecordSignIn(caller.accountId(), caller.userId(), true, null),
                new Actor(Actor.Type.USER, caller.userId(), caller.name(), caller.email()), sourceAddress);
    }

    /**
     * Whether the token names a group the user is not in, or the user is in a JWT group the token no longer names
     * (groups the user got otherwise stay, as the aggregate keeps them).
     */
    static boolean groupsDiffer(Map<String, Boolean> current, List<String> named) {
        for (String name : named) {
            if (!current.containsKey(name) && !AllGroup.NAME.equals(name)) {
                return true;
            }
        }
        return current.entrySet().stream().anyMatch(e -> e.getValue() && !named.contains(e.getKey()));
    }

    private static String string(JWTClaimsSet claims, String name) {
        Object value = claims.getClaim(name);
        return value instanceof String text ? text : null;
    }

    /** The group claim as names (a list of strings, or one string); null when the token has no such claim. */
    static List<String> groups(JWTClaimsSet claims, String claimName) {
        Object value = claims.getClaim(claimName);
        if (value == null) {
            return null;
        }
        Collection<?> values = value instanceof Collection<?> list ? list : List.of(value);
        Set<String> names = new TreeSet<>();
        for (Object v : values) {
            if (v instanceof String name && !name.isBlank() && names.size() < MAX_CLAIM_GROUPS) {
                names.add(name);
            }
        }
        return new ArrayList<>(names);
    }
}

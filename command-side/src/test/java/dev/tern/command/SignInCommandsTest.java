package dev.tern.command;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.FORBIDDEN;
import static dev.tern.events.CommandRejected.Reason.INVALID;

import dev.tern.events.GroupCreated;
import dev.tern.events.IdentityProviderCreated;
import dev.tern.events.JwtGroupSettingsUpdated;
import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.UserDeleted;
import dev.tern.events.commands.CreateIdentityProvider;
import dev.tern.events.commands.SignInWithJwt;
import dev.tern.events.commands.SyncJwtGroups;
import dev.tern.events.commands.UpdateJwtGroupSettings;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.JwtGroupSettings;
import dev.tern.events.values.UserRole;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Identity providers, JWT group settings, JWT sign-in and group sync as the account decides them. */
class SignInCommandsTest extends AccountFixtureSupport {
    private static final IdentityProviderCreated CORP = new IdentityProviderCreated(ACC, "idp1", "oidc", "Corp",
            "https://corp.example", "tern", "v1:sealed");
    private static final JwtGroupSettings SYNC = new JwtGroupSettings(true, "groups", List.of());

    @Test
    void providerNamesAreUniqueIgnoringCase() {
        fixture.givenCurrentTime(NOW).andGiven(account(CORP))
                .when(new CreateIdentityProvider(ACC, "idp2", "oidc", "CORP", "https://other.example", "tern", null,
                        OWNER))
                .expectException(rejected(CONFLICT, "named CORP already exists"))
                .expectNoEvents();
    }

    @Test
    void anIssuerIsConfiguredOnce() {
        fixture.givenCurrentTime(NOW).andGiven(account(CORP))
                .when(new CreateIdentityProvider(ACC, "idp2", "oidc", "Other", "https://corp.example", "tern", null,
                        OWNER))
                .expectException(rejected(CONFLICT, "already has issuer"))
                .expectNoEvents();
    }

    @Test
    void onlyWritersConfigureProviders() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u-plain", UserRole.USER)))
                .when(new CreateIdentityProvider(ACC, "idp2", "oidc", "Other", "https://other.example", "tern", null,
                        "u-plain"))
                .expectException(rejected(FORBIDDEN, "only owners and admins"))
                .expectNoEvents();
    }

    @Test
    void aFirstSignInProvisionsAUserWithTheRoleUser() {
        fixture.givenCurrentTime(NOW).andGiven(account(CORP))
                .when(new SignInWithJwt(ACC, "u-jwt", "ann@corp.example", "Ann", List.of("dev")))
                .expectEvents(new UserCreated(ACC, "u-jwt", "ann@corp.example", "Ann", UserRole.USER, false,
                        List.of(), NOW));
    }

    @Test
    void aKnownUserSigningInAgainAppendsNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account(CORP, user("u-jwt", UserRole.USER)))
                .when(new SignInWithJwt(ACC, "u-jwt", "ann@corp.example", "Ann", null))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void aBlockedUserIsRefused() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u-jwt", UserRole.USER), new UserBlocked(ACC, "u-jwt")))
                .when(new SignInWithJwt(ACC, "u-jwt", "ann@corp.example", "Ann", null))
                .expectException(rejected(FORBIDDEN, "blocked"))
                .expectNoEvents();
    }

    @Test
    void aDeletedUsersTokensDoNotBringItBack() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u-jwt", UserRole.USER), new UserDeleted(ACC, "u-jwt")))
                .when(new SignInWithJwt(ACC, "u-jwt", "ann@corp.example", "Ann", null))
                .expectException(rejected(FORBIDDEN, "deleted"))
                .expectNoEvents();
    }

    @Test
    void withAllowedGroupsOnlyTheirMembersSignIn() {
        JwtGroupSettings onlyOps = new JwtGroupSettings(true, "groups", List.of("ops"));
        fixture.givenCurrentTime(NOW).andGiven(account(new JwtGroupSettingsUpdated(ACC, null, onlyOps)))
                .when(new SignInWithJwt(ACC, "u-jwt", "ann@corp.example", "Ann", List.of("dev")))
                .expectException(rejected(FORBIDDEN, "allowed to sign in"))
                .expectNoEvents();
    }

    @Test
    void syncKeepsOtherGroupsAndMakesTheJwtGroupsThoseOfTheToken() {
        fixture.givenCurrentTime(NOW).andGiven(account(new JwtGroupSettingsUpdated(ACC, null, SYNC),
                        new GroupCreated(ACC, "g-dev", "dev", GroupIssuer.JWT),
                        new GroupCreated(ACC, "g-ops", "ops", GroupIssuer.JWT),
                        new GroupCreated(ACC, "g-manual", "manual", GroupIssuer.API),
                        new UserCreated(ACC, "u-jwt", "ann@corp.example", "Ann", UserRole.USER, false,
                                List.of("g-dev", "g-manual"), NOW)))
                .when(new SyncJwtGroups(ACC, "u-jwt", List.of("ops", "All")))
                .expectEvents(new UserAutoGroupsChanged(ACC, "u-jwt", List.of("g-manual", "g-ops"), List.of("g-ops"),
                        List.of("g-dev")));
    }

    @Test
    void syncWithTheSameGroupsAppendsNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account(new JwtGroupSettingsUpdated(ACC, null, SYNC),
                        new GroupCreated(ACC, "g-dev", "dev", GroupIssuer.JWT),
                        new UserCreated(ACC, "u-jwt", "ann@corp.example", "Ann", UserRole.USER, false,
                                List.of("g-dev"), NOW)))
                .when(new SyncJwtGroups(ACC, "u-jwt", List.of("dev")))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void syncOffAppendsNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u-jwt", UserRole.USER)))
                .when(new SyncJwtGroups(ACC, "u-jwt", List.of("dev")))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void enabledGroupSyncNeedsAClaimName() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateJwtGroupSettings(ACC, new JwtGroupSettings(true, " ", List.of()), OWNER))
                .expectException(rejected(INVALID, "jwt_groups_claim_name is required"))
                .expectNoEvents();
    }
}

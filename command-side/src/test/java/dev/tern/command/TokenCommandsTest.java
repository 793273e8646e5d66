package dev.tern.command;

import dev.tern.events.PersonalAccessTokenCreated;
import dev.tern.events.PersonalAccessTokenDeleted;
import dev.tern.events.UserDeleted;
import dev.tern.events.commands.CreatePersonalAccessToken;
import dev.tern.events.commands.DeletePersonalAccessToken;
import dev.tern.events.values.UserRole;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.FORBIDDEN;
import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;

class TokenCommandsTest extends AccountFixtureSupport {
    private static final Instant IN_A_MONTH = NOW.plus(Duration.ofDays(30));

    private static CreatePersonalAccessToken token(String tokenId, String userId, String actingUserId) {
        return new CreatePersonalAccessToken(ACC, tokenId, userId, "ci token", "tokenhash-" + tokenId, IN_A_MONTH, actingUserId);
    }

    private static PersonalAccessTokenCreated created(String tokenId, String userId, String actingUserId) {
        return new PersonalAccessTokenCreated(ACC, tokenId, userId, "ci token", "tokenhash-" + tokenId, IN_A_MONTH, actingUserId, NOW);
    }

    @Test
    void aUserCreatesItsOwnToken() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER)))
                .when(token("t1", "u2", "u2"))
                .expectEvents(created("t1", "u2", "u2"));
    }

    @Test
    void anAdminCreatesATokenForAServiceUser() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("admin", UserRole.ADMIN), serviceUser("svc", UserRole.ADMIN)))
                .when(token("t1", "svc", "admin"))
                .expectEvents(created("t1", "svc", "admin"));
    }

    @Test
    void anAdminCannotCreateATokenForAnotherHumanUser() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER)))
                .when(token("t1", "u2", OWNER))
                .expectException(rejected(FORBIDDEN, "can only be managed by that user"))
                .expectNoEvents();
    }

    @Test
    void aPlainUserCannotCreateATokenForAServiceUser() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER), serviceUser("svc", UserRole.USER)))
                .when(token("t1", "svc", "u2"))
                .expectException(rejected(FORBIDDEN, "owner or admin"))
                .expectNoEvents();
    }

    @Test
    void aTokenForAnUnknownUserIsNotFound() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(token("t1", "ghost", OWNER))
                .expectException(rejected(NOT_FOUND, "user ghost not found"))
                .expectNoEvents();
    }

    @Test
    void anUnknownActingUserIsForbidden() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(token("t1", OWNER, "intruder"))
                .expectException(rejected(FORBIDDEN, "intruder"))
                .expectNoEvents();
    }

    @Test
    void aTokenMustExpireInTheFuture() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreatePersonalAccessToken(ACC, "t1", OWNER, "old", "h", NOW, OWNER))
                .expectException(rejected(INVALID, "not in the future"))
                .expectNoEvents();
    }

    @Test
    void aTokenNeedsAnExpiry() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreatePersonalAccessToken(ACC, "t1", OWNER, "forever", "h", null, OWNER))
                .expectException(rejected(INVALID, "token expiry is missing"))
                .expectNoEvents();
    }

    @Test
    void aTokenNameIsOneTo255Characters() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreatePersonalAccessToken(ACC, "t1", OWNER, "x".repeat(256), "h", IN_A_MONTH, OWNER))
                .expectException(rejected(INVALID, "longer than 255"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreatePersonalAccessToken(ACC, "t1", OWNER, " ", "h", IN_A_MONTH, OWNER))
                .expectException(rejected(INVALID, "must not be empty"))
                .expectNoEvents();
    }

    @Test
    void aTokenIdIsUniqueInTheAccount() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER), created("t1", "u2", "u2")))
                .when(token("t1", OWNER, OWNER))
                .expectException(rejected(CONFLICT, "token t1 already exists"))
                .expectNoEvents();
    }

    @Test
    void aUserDeletesItsOwnToken() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER), created("t1", "u2", "u2")))
                .when(new DeletePersonalAccessToken(ACC, "u2", "t1", "u2"))
                .expectEvents(new PersonalAccessTokenDeleted(ACC, "t1", "u2"));
    }

    @Test
    void deletingAnotherUsersTokenIdIsNotFound() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER), created("t1", "u2", "u2")))
                .when(new DeletePersonalAccessToken(ACC, OWNER, "t1", OWNER))
                .expectException(rejected(NOT_FOUND, "token t1 of user " + OWNER))
                .expectNoEvents();
    }

    @Test
    void anAdminCannotDeleteAHumanUsersToken() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER), created("t1", "u2", "u2")))
                .when(new DeletePersonalAccessToken(ACC, "u2", "t1", OWNER))
                .expectException(rejected(FORBIDDEN, "can only be managed by that user"))
                .expectNoEvents();
    }

    @Test
    void tokensDieWithTheirUser() {
        // the token id of a deleted user is free again, and the token is gone
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER), created("t1", "u2", "u2"),
                        new UserDeleted(ACC, "u2")))
                .when(token("t1", OWNER, OWNER))
                .expectEvents(created("t1", OWNER, OWNER));
    }
}

package dev.tern.command;

import dev.tern.events.UserAutoGroupsChanged;
import dev.tern.events.UserBlocked;
import dev.tern.events.UserCreated;
import dev.tern.events.UserDeleted;
import dev.tern.events.UserRoleChanged;
import dev.tern.events.UserUnblocked;
import dev.tern.events.commands.CreateUser;
import dev.tern.events.commands.DeleteUser;
import dev.tern.events.commands.UpdateUser;
import dev.tern.events.values.UserRole;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.FORBIDDEN;
import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;

class UserCommandsTest extends AccountFixtureSupport {

    @Test
    void anAdminCreatesAUserWithAutoGroups() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(new CreateUser(ACC, "u2", "Bob@Example.com", "Bob", UserRole.USER, false, List.of("g1"), OWNER))
                .expectEvents(new UserCreated(ACC, "u2", "Bob@Example.com", "Bob", UserRole.USER, false, List.of("g1"), NOW));
    }

    @Test
    void aRepeatedAutoGroupIsRefused() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(new CreateUser(ACC, "u2", "bob@example.com", "Bob", UserRole.USER, false, List.of("g1", "g1"), OWNER))
                .expectException(rejected(INVALID, "auto-groups lists g1 more than once"))
                .expectNoEvents();
    }

    @Test
    void theOwnerRoleIsNotAssignable() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateUser(ACC, "u2", "bob@example.com", "Bob", UserRole.OWNER, false, List.of(), OWNER))
                .expectException(rejected(INVALID, "owner role cannot be assigned"))
                .expectNoEvents();
    }

    @Test
    void autoGroupsMustExist() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateUser(ACC, "u2", "bob@example.com", "Bob", UserRole.USER, false, List.of("nope"), OWNER))
                .expectException(rejected(INVALID, "auto-group nope does not exist"))
                .expectNoEvents();
    }

    @Test
    void theAllGroupIsNotAnAutoGroup() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateUser(ACC, "u2", "bob@example.com", "Bob", UserRole.USER, false, List.of(ALL), OWNER))
                .expectException(rejected(INVALID, "All group"))
                .expectNoEvents();
    }

    @Test
    void emailsAreUniqueAmongHumanUsersIgnoringCase() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateUser(ACC, "u2", "OWNER@example.com", "Twin", UserRole.ADMIN, false, List.of(), OWNER))
                .expectException(rejected(CONFLICT, "already exists"))
                .expectNoEvents();
    }

    @Test
    void serviceUsersMayShareAnEmailWithAHumanUser() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateUser(ACC, "svc", OWNER_EMAIL, "ci", UserRole.ADMIN, true, List.of(), OWNER))
                .expectEvents(new UserCreated(ACC, "svc", OWNER_EMAIL, "ci", UserRole.ADMIN, true, List.of(), NOW));
    }

    @Test
    void anExistingUserIdIsAConflict() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER)))
                .when(new CreateUser(ACC, "u2", "other@example.com", "Other", UserRole.USER, false, List.of(), OWNER))
                .expectException(rejected(CONFLICT, "user u2 already exists"))
                .expectNoEvents();
    }

    @Test
    void aPlainUserCannotCreateUsers() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER)))
                .when(new CreateUser(ACC, "u3", "c@example.com", "C", UserRole.USER, false, List.of(), "u2"))
                .expectException(rejected(FORBIDDEN, "only owners and admins"))
                .expectNoEvents();
    }

    @Test
    void updateEmitsOnlyWhatChanged() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops"),
                        new UserCreated(ACC, "u2", "b@example.com", "B", UserRole.USER, false, List.of("g1"), NOW)))
                .when(new UpdateUser(ACC, "u2", UserRole.ADMIN, List.of("g2"), true, OWNER))
                .expectEvents(
                        new UserRoleChanged(ACC, "u2", UserRole.USER, UserRole.ADMIN),
                        new UserBlocked(ACC, "u2"),
                        new UserAutoGroupsChanged(ACC, "u2", List.of("g2"), List.of("g2"), List.of("g1")));
    }

    @Test
    void anUnchangedUpdateEmitsNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new UserCreated(ACC, "u2", "b@example.com", "B", UserRole.USER, false, List.of("g1"), NOW)))
                .when(new UpdateUser(ACC, "u2", UserRole.USER, List.of("g1"), false, OWNER))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void unblockingEmitsUserUnblocked() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER), new UserBlocked(ACC, "u2")))
                .when(new UpdateUser(ACC, "u2", null, null, false, OWNER))
                .expectEvents(new UserUnblocked(ACC, "u2"));
    }

    @Test
    void theOwnerCannotBeBlocked() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateUser(ACC, OWNER, null, null, true, null))
                .expectException(rejected(FORBIDDEN, "owner cannot be blocked"))
                .expectNoEvents();
    }

    @Test
    void theOwnerCannotBeDemoted() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateUser(ACC, OWNER, UserRole.ADMIN, null, false, null))
                .expectException(rejected(FORBIDDEN, "owner cannot be demoted"))
                .expectNoEvents();
    }

    @Test
    void anAdminCannotChangeTheOwner() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), user("admin", UserRole.ADMIN)))
                .when(new UpdateUser(ACC, OWNER, null, List.of("g1"), false, "admin"))
                .expectException(rejected(FORBIDDEN, "only the owner can change the owner"))
                .expectNoEvents();
    }

    @Test
    void aUserCannotBlockItself() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("admin", UserRole.ADMIN)))
                .when(new UpdateUser(ACC, "admin", null, null, true, "admin"))
                .expectException(rejected(INVALID, "cannot block itself"))
                .expectNoEvents();
    }

    @Test
    void aUserCannotDemoteItself() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("admin", UserRole.ADMIN)))
                .when(new UpdateUser(ACC, "admin", UserRole.USER, null, false, "admin"))
                .expectException(rejected(INVALID, "cannot change its own role"))
                .expectNoEvents();
    }

    @Test
    void theOwnerCannotDemoteItself() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateUser(ACC, OWNER, UserRole.ADMIN, null, false, OWNER))
                .expectException(rejected(INVALID, "cannot change its own role"))
                .expectNoEvents();
    }

    @Test
    void theOwnerMayChangeItsOwnAutoGroups() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(new UpdateUser(ACC, OWNER, null, List.of("g1"), false, OWNER))
                .expectEvents(new UserAutoGroupsChanged(ACC, OWNER, List.of("g1"), List.of("g1"), List.of()));
    }

    @Test
    void promotingToOwnerIsInvalid() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.ADMIN)))
                .when(new UpdateUser(ACC, "u2", UserRole.OWNER, null, false, OWNER))
                .expectException(rejected(INVALID, "owner role cannot be assigned"))
                .expectNoEvents();
    }

    @Test
    void updatingAnUnknownUserIsNotFound() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateUser(ACC, "ghost", UserRole.USER, null, false, OWNER))
                .expectException(rejected(NOT_FOUND, "user ghost not found"))
                .expectNoEvents();
    }

    @Test
    void deletingAUserEmitsUserDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER)))
                .when(new DeleteUser(ACC, "u2", OWNER))
                .expectEvents(new UserDeleted(ACC, "u2"));
    }

    @Test
    void theOwnerCannotBeDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("admin", UserRole.ADMIN)))
                .when(new DeleteUser(ACC, OWNER, "admin"))
                .expectException(rejected(FORBIDDEN, "owner cannot be deleted"))
                .expectNoEvents();
    }

    @Test
    void aUserCannotDeleteItself() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("admin", UserRole.ADMIN)))
                .when(new DeleteUser(ACC, "admin", "admin"))
                .expectException(rejected(INVALID, "cannot delete itself"))
                .expectNoEvents();
    }

    @Test
    void aDeletedUsersEmailCanBeReused() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER), new UserDeleted(ACC, "u2")))
                .when(new CreateUser(ACC, "u3", "u2@example.com", "Again", UserRole.USER, false, List.of(), OWNER))
                .expectEvents(new UserCreated(ACC, "u3", "u2@example.com", "Again", UserRole.USER, false, List.of(), NOW));
    }

    @Test
    void aBlockedAdminCannotActAnymore() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("admin", UserRole.ADMIN), user("u2", UserRole.USER),
                        new UserBlocked(ACC, "admin")))
                .when(new DeleteUser(ACC, "u2", "admin"))
                .expectException(rejected(FORBIDDEN, "may not change this account"))
                .expectNoEvents();
    }

    @Test
    void aPlainUserCannotChangeOtherUsers() {
        fixture.givenCurrentTime(NOW).andGiven(account(user("u2", UserRole.USER), user("u3", UserRole.USER)))
                .when(new UpdateUser(ACC, "u3", UserRole.ADMIN, null, false, "u2"))
                .expectException(rejected(FORBIDDEN, "only owners and admins"))
                .expectNoEvents();
    }

    @Test
    void aServiceUserNeedsANameButNoEmail() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateUser(ACC, "svc", null, "ci-bot", UserRole.ADMIN, true, List.of(), OWNER))
                .expectEvents(new UserCreated(ACC, "svc", "", "ci-bot", UserRole.ADMIN, true, List.of(), NOW));
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateUser(ACC, "svc", null, " ", UserRole.ADMIN, true, List.of(), OWNER))
                .expectException(rejected(INVALID, "service user name must not be empty"))
                .expectNoEvents();
    }

    @Test
    void aDeletedUsersAutoGroupsNoLongerHoldTheirGroups() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new UserCreated(ACC, "u2", "b@example.com", "B", UserRole.USER, false, List.of("g1"), NOW),
                        new UserDeleted(ACC, "u2")))
                .when(new dev.tern.events.commands.DeleteGroup(ACC, "g1"))
                .expectEvents(new dev.tern.events.GroupDeleted(ACC, "g1", "dev"));
    }
}

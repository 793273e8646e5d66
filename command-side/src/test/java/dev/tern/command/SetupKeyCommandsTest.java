package dev.tern.command;

import dev.tern.events.SetupKeyAutoGroupsChanged;
import dev.tern.events.SetupKeyCreated;
import dev.tern.events.SetupKeyDeleted;
import dev.tern.events.SetupKeyRevoked;
import dev.tern.events.commands.CreateSetupKey;
import dev.tern.events.commands.DeleteSetupKey;
import dev.tern.events.commands.UpdateSetupKey;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.SetupKeyType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;

class SetupKeyCommandsTest extends AccountFixtureSupport {
    private static final Instant NEXT_WEEK = NOW.plus(Duration.ofDays(7));

    private static CreateSetupKey create(String id, SetupKeyType type, int usageLimit, Instant expiresAt, List<String> groups) {
        return new CreateSetupKey(ACC, id, "office", type, hash(id), "ABCD", expiresAt, usageLimit, groups, false, false);
    }

    @Test
    void aReusableKeyKeepsItsUsageLimitAndAutoGroups() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(create("k1", SetupKeyType.REUSABLE, 10, NEXT_WEEK, List.of("g1")))
                .expectEvents(new SetupKeyCreated(ACC, "k1", "office", SetupKeyType.REUSABLE, hash("k1"), "ABCD",
                        NEXT_WEEK, 10, List.of("g1"), false, false, NOW));
    }

    @Test
    void aOneOffKeyIsStoredWithUsageLimitOne() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(create("k1", SetupKeyType.ONE_OFF, 0, null, List.of()))
                .expectEvents(new SetupKeyCreated(ACC, "k1", "office", SetupKeyType.ONE_OFF, hash("k1"), "ABCD",
                        null, 1, List.of(), false, false, NOW));
    }

    @Test
    void aNegativeUsageLimitIsInvalid() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(create("k1", SetupKeyType.REUSABLE, -1, null, List.of()))
                .expectException(rejected(INVALID, "usage limit"))
                .expectNoEvents();
    }

    @Test
    void keyAutoGroupsMustExistAndNotBeAll() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(create("k1", SetupKeyType.REUSABLE, 0, null, List.of("nope")))
                .expectException(rejected(INVALID, "auto-group nope does not exist"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(create("k1", SetupKeyType.REUSABLE, 0, null, List.of(ALL)))
                .expectException(rejected(INVALID, "All group"))
                .expectNoEvents();
    }

    @Test
    void aKeyThatAlreadyExpiredIsInvalid() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(create("k1", SetupKeyType.REUSABLE, 0, NOW.minusSeconds(1), List.of()))
                .expectException(rejected(INVALID, "not in the future"))
                .expectNoEvents();
    }

    @Test
    void theSameSecretTwiceIsAConflict() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null)))
                .when(new CreateSetupKey(ACC, "k2", "again", SetupKeyType.REUSABLE, hash("k1"), "ABCD", null, 0,
                        List.of(), false, false))
                .expectException(rejected(CONFLICT, "same secret"))
                .expectNoEvents();
    }

    @Test
    void revokingEmitsSetupKeyRevoked() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null)))
                .when(new UpdateSetupKey(ACC, "k1", true, null))
                .expectEvents(new SetupKeyRevoked(ACC, "k1"));
    }

    @Test
    void aRevokedKeyCannotBeUnRevoked() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null), new SetupKeyRevoked(ACC, "k1")))
                .when(new UpdateSetupKey(ACC, "k1", false, null))
                .expectException(rejected(INVALID, "a revoked key cannot be un-revoked"))
                .expectNoEvents();
    }

    @Test
    void revokingARevokedKeyAgainEmitsNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null), new SetupKeyRevoked(ACC, "k1")))
                .when(new UpdateSetupKey(ACC, "k1", true, null))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void changingAutoGroupsEmitsTheDiff() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops"), reusableKey("k1", 0, null, "g1")))
                .when(new UpdateSetupKey(ACC, "k1", false, List.of("g2")))
                .expectEvents(new SetupKeyAutoGroupsChanged(ACC, "k1", List.of("g2"), List.of("g2"), List.of("g1")));
    }

    @Test
    void updatingAutoGroupsChecksThem() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null)))
                .when(new UpdateSetupKey(ACC, "k1", true, List.of(ALL)))
                .expectException(rejected(INVALID, "All group"))
                .expectNoEvents();
    }

    @Test
    void aRepeatedAutoGroupIsRefused() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), reusableKey("k1", 0, null)))
                .when(new UpdateSetupKey(ACC, "k1", false, List.of("g1", "g1")))
                .expectException(rejected(INVALID, "auto-groups lists g1 more than once"))
                .expectNoEvents();
    }

    @Test
    void moreAutoGroupsThanTheLimitAreRefused() {
        List<String> tooMany = java.util.stream.IntStream.rangeClosed(0, InputLimits.MAX_AUTO_GROUPS)
                .mapToObj(i -> "g" + i).toList();
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(create("k1", SetupKeyType.REUSABLE, 0, null, tooMany))
                .expectException(rejected(INVALID, "more than the " + InputLimits.MAX_AUTO_GROUPS + " allowed"))
                .expectNoEvents();
    }

    @Test
    void unknownKeysAreNotFound() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateSetupKey(ACC, "nope", true, null))
                .expectException(rejected(NOT_FOUND, "setup key nope not found"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new DeleteSetupKey(ACC, "nope"))
                .expectException(rejected(NOT_FOUND, "setup key nope not found"))
                .expectNoEvents();
    }

    @Test
    void deletingAKeyEmitsSetupKeyDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null)))
                .when(new DeleteSetupKey(ACC, "k1"))
                .expectEvents(new SetupKeyDeleted(ACC, "k1"));
    }

    @Test
    void anExistingKeyIdIsAConflict() {
        fixture.givenCurrentTime(NOW).andGiven(account(reusableKey("k1", 0, null)))
                .when(new CreateSetupKey(ACC, "k1", "again", SetupKeyType.REUSABLE, "other-hash", "ABCD", null, 0,
                        List.of(), false, false))
                .expectException(rejected(CONFLICT, "setup key k1 already exists"))
                .expectNoEvents();
    }
}

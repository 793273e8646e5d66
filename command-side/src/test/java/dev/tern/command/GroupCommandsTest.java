package dev.tern.command;

import dev.tern.events.GroupCreated;
import dev.tern.events.GroupDeleted;
import dev.tern.events.GroupRenamed;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.SetupKeyAutoGroupsChanged;
import dev.tern.events.UserCreated;
import dev.tern.events.commands.CreateGroup;
import dev.tern.events.commands.DeleteGroup;
import dev.tern.events.commands.UpdateGroup;
import dev.tern.events.values.GroupIssuer;
import dev.tern.events.values.InputLimits;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.PolicyRule;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import dev.tern.events.values.UserRole;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tern.events.CommandRejected.Reason.CONFLICT;
import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;

class GroupCommandsTest extends AccountFixtureSupport {

    static PolicyDefinition policyBetween(String name, String source, String destination) {
        return new PolicyDefinition(name, "", true, List.of(new PolicyRule("r1", "rule", "", true, RuleAction.ACCEPT,
                true, Protocol.ALL, List.of(), List.of(), List.of(source), List.of(destination))), List.of());
    }

    private static Object[] twoPeers() {
        return new Object[]{reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "a", "k1"),
                peer("p2", 2, "100.64.0.2", "b", "k1")};
    }

    @Test
    void creatingAGroupWithPeersAddsEachPeer() {
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers()))
                .when(new CreateGroup(ACC, "g1", "dev", List.of("p2", "p1")))
                .expectEvents(new GroupCreated(ACC, "g1", "dev", GroupIssuer.API), member("g1", "p2"), member("g1", "p1"));
    }

    @Test
    void aPeerNamedTwiceIsRefused() {
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers()))
                .when(new CreateGroup(ACC, "g1", "dev", List.of("p2", "p1", "p2")))
                .expectException(rejected(INVALID, "group peers lists p2 more than once"))
                .expectNoEvents();
    }

    @Test
    void tooManyPeersAreRefusedBeforeTheyAreLookedUp() {
        List<String> tooMany = java.util.stream.IntStream.rangeClosed(0, InputLimits.MAX_PEERS_PER_GROUP)
                .mapToObj(i -> "p" + i).toList();
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers()))
                .when(new CreateGroup(ACC, "g1", "dev", tooMany))
                .expectException(rejected(INVALID, "more than the " + InputLimits.MAX_PEERS_PER_GROUP + " allowed"))
                .expectNoEvents();
    }

    @Test
    void groupNamesAreUnique() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(new CreateGroup(ACC, "g2", "dev", null))
                .expectException(rejected(CONFLICT, "a group named 'dev' already exists"))
                .expectNoEvents();
    }

    @Test
    void theNameAllIsReservedWhateverItsCase() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateGroup(ACC, "g1", "all", null))
                .expectException(rejected(CONFLICT, "reserved"))
                .expectNoEvents();
    }

    @Test
    void groupMembersMustBeExistingPeers() {
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers()))
                .when(new CreateGroup(ACC, "g1", "dev", List.of("p1", "ghost")))
                .expectException(rejected(INVALID, "peer ghost does not exist"))
                .expectNoEvents();
    }

    @Test
    void anEmptyGroupNameIsInvalid() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateGroup(ACC, "g1", "  ", null))
                .expectException(rejected(INVALID, "group name must not be empty"))
                .expectNoEvents();
    }

    @Test
    void updateEmitsRenameAndMembershipDiff() {
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers())).andGiven(group("g1", "dev"), member("g1", "p1"))
                .when(new UpdateGroup(ACC, "g1", "developers", List.of("p2")))
                .expectEvents(new GroupRenamed(ACC, "g1", "dev", "developers"),
                        new PeerRemovedFromGroup(ACC, "g1", "p1"), member("g1", "p2"));
    }

    @Test
    void nullPeersKeepTheMembership() {
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers())).andGiven(group("g1", "dev"), member("g1", "p1"))
                .when(new UpdateGroup(ACC, "g1", "developers", null))
                .expectEvents(new GroupRenamed(ACC, "g1", "dev", "developers"));
    }

    @Test
    void anUnchangedGroupUpdateEmitsNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers())).andGiven(group("g1", "dev"), member("g1", "p1"))
                .when(new UpdateGroup(ACC, "g1", "dev", List.of("p1")))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void renamingToAnotherGroupsNameIsAConflict() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), group("g2", "ops")))
                .when(new UpdateGroup(ACC, "g1", "ops", null))
                .expectException(rejected(CONFLICT, "'ops' already exists"))
                .expectNoEvents();
    }

    @Test
    void theAllGroupCannotBeRenamed() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateGroup(ACC, ALL, "Everyone", null))
                .expectException(rejected(INVALID, "All group cannot be renamed"))
                .expectNoEvents();
    }

    @Test
    void theAllGroupMembershipCannotBeEdited() {
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers()))
                .when(new UpdateGroup(ACC, ALL, "All", List.of("p1")))
                .expectException(rejected(INVALID, "membership cannot be edited"))
                .expectNoEvents();
    }

    @Test
    void theAllGroupCannotBeDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new DeleteGroup(ACC, ALL))
                .expectException(rejected(CONFLICT, "All group cannot be deleted"))
                .expectNoEvents();
    }

    @Test
    void aGroupUsedByAPolicyCannotBeDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new PolicyCreated(ACC, "pol1", policyBetween("dev-to-all", "g1", ALL))))
                .when(new DeleteGroup(ACC, "g1"))
                .expectException(rejected(CONFLICT, "used by policy 'dev-to-all' (pol1)"))
                .expectNoEvents();
    }

    @Test
    void aGroupIsFreeOnceItsPolicyIsGone() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new PolicyCreated(ACC, "pol1", policyBetween("dev-to-all", "g1", ALL)),
                        new PolicyDeleted(ACC, "pol1", "dev-to-all")))
                .when(new DeleteGroup(ACC, "g1"))
                .expectEvents(new GroupDeleted(ACC, "g1", "dev"));
    }

    @Test
    void aGroupUsedBySetupKeyCannotBeDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), reusableKey("k1", 0, null, "g1")))
                .when(new DeleteGroup(ACC, "g1"))
                .expectException(rejected(CONFLICT, "setup key 'key k1' (k1)"))
                .expectNoEvents();
    }

    @Test
    void aGroupDroppedFromAKeysAutoGroupsCanBeDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"), reusableKey("k1", 0, null, "g1"),
                        new SetupKeyAutoGroupsChanged(ACC, "k1", List.of(), List.of(), List.of("g1"))))
                .when(new DeleteGroup(ACC, "g1"))
                .expectEvents(new GroupDeleted(ACC, "g1", "dev"));
    }

    @Test
    void aGroupUsedAsAUsersAutoGroupCannotBeDeleted() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev"),
                        new UserCreated(ACC, "u2", "b@example.com", "B", UserRole.USER, false, List.of("g1"), NOW)))
                .when(new DeleteGroup(ACC, "g1"))
                .expectException(rejected(CONFLICT, "auto-group of user u2"))
                .expectNoEvents();
    }

    @Test
    void aGroupWithMembersCanBeDeletedAndItsNameReused() {
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers()))
                .andGiven(group("g1", "dev"), member("g1", "p1"), new GroupDeleted(ACC, "g1", "dev"))
                .when(new CreateGroup(ACC, "g2", "dev", List.of("p1")))
                .expectEvents(group("g2", "dev"), member("g2", "p1"));
    }

    @Test
    void aDeletedPeerLeavesItsGroups() {
        fixture.givenCurrentTime(NOW).andGiven(account(twoPeers()))
                .andGiven(group("g1", "dev"), member("g1", "p1"), member("g1", "p2"),
                        new PeerDeleted(ACC, "p1", wgKey(1)))
                .when(new UpdateGroup(ACC, "g1", "dev", List.of()))
                .expectEvents(new PeerRemovedFromGroup(ACC, "g1", "p2"));
    }

    @Test
    void unknownGroupsAreNotFound() {
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new UpdateGroup(ACC, "nope", "x", null))
                .expectException(rejected(NOT_FOUND, "group nope not found"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new DeleteGroup(ACC, "nope"))
                .expectException(rejected(NOT_FOUND, "group nope not found"))
                .expectNoEvents();
    }

    @Test
    void anExistingGroupIdIsAConflict() {
        fixture.givenCurrentTime(NOW).andGiven(account(group("g1", "dev")))
                .when(new CreateGroup(ACC, "g1", "other", null))
                .expectException(rejected(CONFLICT, "group g1 already exists"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account())
                .when(new CreateGroup(ACC, ALL, "other", null))
                .expectException(rejected(CONFLICT, "already exists"))
                .expectNoEvents();
    }
}

package dev.tern.command;

import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerInactivityExpirationChanged;
import dev.tern.events.PeerLoginExpirationChanged;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PeerSshChanged;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.commands.UpdatePeer;
import org.junit.jupiter.api.Test;

import static dev.tern.events.CommandRejected.Reason.INVALID;
import static dev.tern.events.CommandRejected.Reason.NOT_FOUND;

class PeerUpdateTest extends AccountFixtureSupport {

    private static Object[] peers() {
        return new Object[]{reusableKey("k1", 0, null), peer("p1", 1, "100.64.0.1", "alpha", "k1"),
                peer("p2", 2, "100.64.0.2", "beta", "k1")};
    }

    @Test
    void renamingGivesAFreshUniqueLabel() {
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .when(new UpdatePeer(ACC, "p1", "Beta", false, false, false))
                .expectEvents(new PeerRenamed(ACC, "p1", "alpha", "Beta", "beta-1"));
    }

    @Test
    void renamingToTheSameBaseKeepsTheLabel() {
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .when(new UpdatePeer(ACC, "p1", "ALPHA", false, false, false))
                .expectEvents(new PeerRenamed(ACC, "p1", "alpha", "ALPHA", "alpha"));
    }

    @Test
    void theOldLabelIsFreeAfterARename() {
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .andGiven(new PeerRenamed(ACC, "p1", "alpha", "gamma", "gamma"))
                .when(new UpdatePeer(ACC, "p2", "alpha", false, false, false))
                .expectEvents(new PeerRenamed(ACC, "p2", "beta", "alpha", "alpha"));
    }

    @Test
    void flagUpdatesEmitOnlyWhatChanged() {
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .andGiven(new PeerSshChanged(ACC, "p1", true))
                .when(new UpdatePeer(ACC, "p1", "alpha", true, true, true))
                .expectEvents(new PeerLoginExpirationChanged(ACC, "p1", true),
                        new PeerInactivityExpirationChanged(ACC, "p1", true));
    }

    @Test
    void disablingSshEmitsPeerSshChanged() {
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .andGiven(new PeerSshChanged(ACC, "p1", true))
                .when(new UpdatePeer(ACC, "p1", "alpha", false, false, false))
                .expectEvents(new PeerSshChanged(ACC, "p1", false));
    }

    @Test
    void anUnchangedPeerUpdateEmitsNothing() {
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .when(new UpdatePeer(ACC, "p1", "alpha", false, false, false))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void anEmptyPeerNameIsInvalid() {
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .when(new UpdatePeer(ACC, "p1", "", true, false, false))
                .expectException(rejected(INVALID, "peer name must not be empty"))
                .expectNoEvents();
    }

    @Test
    void deletingAPeerEmitsPeerDeletedWithItsKey() {
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .when(new DeletePeer(ACC, "p2"))
                .expectEvents(new PeerDeleted(ACC, "p2", wgKey(2)));
    }

    @Test
    void unknownPeersAreNotFound() {
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .when(new UpdatePeer(ACC, "ghost", "x", false, false, false))
                .expectException(rejected(NOT_FOUND, "peer ghost not found"))
                .expectNoEvents();
        fixture.givenCurrentTime(NOW).andGiven(account(peers()))
                .when(new DeletePeer(ACC, "ghost"))
                .expectException(rejected(NOT_FOUND, "peer ghost not found"))
                .expectNoEvents();
    }
}

package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountEvent;
import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PeerLoginRenewed;
import dev.tern.events.PeerRenamed;
import dev.tern.events.PolicyCreated;
import dev.tern.events.PolicyDeleted;
import dev.tern.events.values.PeerExpiry;
import dev.tern.projector.ReachChanges.Change;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which events changed what peer a could reach, and how. */
class ReachChangesTest {

    @Test
    void registrationGroupAndPolicyChangesExpiryAndDeletionCountRenamesAndStrangersDoNot() {
        List<AccountEvent> events = List.of(
                accountCreated(),                                                  // 0
                allGroup(),                                                        // 1
                group("dev"),                                                      // 2
                peer("a", 1),                                                      // 3 a registers
                peer("b", 2),                                                      // 4 b: no policy yet
                new PeerAddedToGroup(ACCOUNT, "dev", "a"),                         // 5 nothing to reach yet
                new PolicyCreated(ACCOUNT, "p", policy("dev-dev",
                        accept("r1", true, List.of("dev"), List.of("dev")))),      // 6 nobody else in dev: no change
                new PeerAddedToGroup(ACCOUNT, "dev", "b"),                         // 7 a gains b
                new PeerRenamed(ACCOUNT, "b", "name-b", "B", "b2"),                // 8 a rename: no change
                peer("c", 3),                                                      // 9 a stranger
                new PeerLoginExpired(ACCOUNT, "b", PeerExpiry.LOGIN, Instant.EPOCH), // 10 b goes offline
                new PeerLoginRenewed(ACCOUNT, "b", "key", Instant.EPOCH),          // 11 b back
                new PolicyDeleted(ACCOUNT, "p", "dev-dev"),                        // 12 a loses b
                new PeerDeleted(ACCOUNT, "a", key(1)));                            // 13 a is gone

        List<Change> changes = ReachChanges.of(ACCOUNT, "a", events);

        assertThat(changes).extracting(Change::index).containsExactly(3, 7, 10, 11, 12, 13);
        Change registered = changes.get(0);
        assertThat(registered.hadMap()).isFalse();
        assertThat(registered.hasMap()).isTrue();
        assertThat(changes.get(1).gained()).containsExactly("b");
        assertThat(changes.get(1).rulesChanged()).isTrue();
        assertThat(changes.get(2).wentOffline()).containsExactly("b");
        assertThat(changes.get(2).lost()).isEmpty();
        assertThat(changes.get(3).cameOnline()).containsExactly("b");
        assertThat(changes.get(4).lost()).containsExactly("b");
        assertThat(changes.get(5).hasMap()).isFalse();
    }

    @Test
    void aHistoryFedInPartsHasTheChangesOfEachPrefixAsIfReplayedAlone() {
        List<AccountEvent> events = List.of(accountCreated(), allGroup(), group("dev"), peer("a", 1), peer("b", 2),
                new PeerAddedToGroup(ACCOUNT, "dev", "a"),
                new PolicyCreated(ACCOUNT, "p", policy("dev-dev", accept("r1", true, List.of("dev"), List.of("dev")))),
                new PeerAddedToGroup(ACCOUNT, "dev", "b"),
                new PeerLoginExpired(ACCOUNT, "b", PeerExpiry.LOGIN, Instant.EPOCH),
                new PolicyDeleted(ACCOUNT, "p", "dev-dev"));
        ReachChanges.Tracker tracker = new ReachChanges.Tracker(ACCOUNT, "a");
        tracker.advanceTo(events.subList(0, 3));
        assertThat(tracker.registeredWithin(3)).isFalse();
        tracker.advanceTo(events.subList(0, 8));
        tracker.advanceTo(events);
        assertThat(tracker.fed()).isEqualTo(events.size());
        for (int n = 0; n <= events.size(); n++) {
            assertThat(tracker.changesWithin(n)).as("the first %d events", n)
                    .isEqualTo(ReachChanges.of(ACCOUNT, "a", events.subList(0, n)));
            assertThat(tracker.registeredWithin(n)).isEqualTo(n > 3);
        }
        assertThat(tracker.changesWithin(events.size())).extracting(Change::index).containsExactly(3, 7, 8, 9);
    }
}

package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerLoginExpired;
import dev.tern.events.PolicyCreated;
import dev.tern.events.values.PeerExpiry;
import dev.tern.events.values.PolicyDefinition;
import dev.tern.events.values.Protocol;
import dev.tern.events.values.RuleAction;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The count path on an as-of state of the size issue 12 measures (5,000 peers, 200 groups, 300 policies, as
 * {@code AsOfBench} seeds it): the counts equal the maps' on a big account too, and the log line tells how long
 * each way took (for the record only: no timing is asserted).
 */
class AccessibleCountsScaleTest {

    @Test
    void countsOfAFiveThousandPeerAccountEqualTheMapsPeerCounts() {
        int peers = 5_000;
        int groups = 200;
        Random random = new Random(42);
        NetworkMapProjector onDemand = NetworkMapProjector.computingOnDemand();
        long position = 0;
        onDemand.stage(accountCreated(), ++position);
        onDemand.stage(allGroup(), ++position);
        for (int g = 0; g < groups; g++) {
            onDemand.stage(group("g" + g), ++position);
        }
        for (int p = 0; p < peers; p++) {
            onDemand.stage(peer("p" + p, p), ++position);
            // every peer joins one of the first 50 groups, as a setup key of the bench puts it there
            onDemand.stage(new PeerAddedToGroup(ACCOUNT, "g" + (p % 50), "p" + p), ++position);
        }
        for (int g = 50; g < groups; g++) {
            for (int m = 0; m < 30; m++) {
                onDemand.stage(new PeerAddedToGroup(ACCOUNT, "g" + g, "p" + random.nextInt(peers)), ++position);
            }
        }
        for (int i = 0; i < 300; i++) {
            String source = "g" + random.nextInt(groups);
            String destination = "g" + random.nextInt(groups);
            RuleAction action = i % 10 == 0 ? RuleAction.DROP : RuleAction.ACCEPT;
            PolicyDefinition definition = policy("policy-" + i, rule("r" + i, action, i % 3 == 0, Protocol.TCP,
                    List.of(), List.of(source), List.of(destination)));
            onDemand.stage(new PolicyCreated(ACCOUNT, "pol" + i, definition), ++position);
        }
        for (int i = 0; i < 50; i++) {
            onDemand.stage(new PeerLoginExpired(ACCOUNT, "p" + random.nextInt(peers), PeerExpiry.LOGIN,
                    Instant.EPOCH), ++position);
        }

        long countStart = System.nanoTime();
        Map<String, Integer> counted = onDemand.accessiblePeerCounts(ACCOUNT);
        long countNanos = System.nanoTime() - countStart;
        long warmStart = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            assertThat(onDemand.accessiblePeerCounts(ACCOUNT)).isEqualTo(counted);
        }
        long warmNanos = (System.nanoTime() - warmStart) / 10;
        long mapsStart = System.nanoTime();
        Map<String, Integer> fromMaps = new HashMap<>();
        onDemand.currentMaps(ACCOUNT).forEach((peerId, map) ->
                fromMaps.put(peerId, map.remotePeers().size() + map.offlinePeers().size()));
        long mapsNanos = System.nanoTime() - mapsStart;
        System.out.printf("accessible counts of %d peers: every map computed %d ms, counted from the graph %d ms"
                + " (then %d ms a call)%n", peers, mapsNanos / 1_000_000, countNanos / 1_000_000, warmNanos / 1_000_000);

        assertThat(counted).hasSize(peers).isEqualTo(fromMaps);
        assertThat(counted.values()).as("the account is not trivially connected").anyMatch(count -> count > 0)
                .anyMatch(count -> count == 0);
    }
}

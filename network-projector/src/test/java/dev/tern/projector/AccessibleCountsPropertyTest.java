package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.AccountEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The counts {@link NetworkMapProjector#accessiblePeerCounts} works out without maps must be, for every peer, the
 * number of peers its map lists (remote plus offline), over the random histories of
 * {@link IncrementalEqualsNaivePropertyTest} (policies, bidirectional and drop rules, disabled ones, expired logins,
 * routes, network resources and routers), on the live projector after every flush and on the on-demand one.
 */
class AccessibleCountsPropertyTest {

    @Provide
    Arbitrary<List<IncrementalEqualsNaivePropertyTest.Step>> steps() {
        return new IncrementalEqualsNaivePropertyTest().steps();
    }

    @Property(tries = 300)
    void countsEqualTheMapsPeerCounts(@ForAll("steps") List<IncrementalEqualsNaivePropertyTest.Step> steps) {
        NetworkMapProjector live = new NetworkMapProjector();
        NaiveNetworkMaps naive = new NaiveNetworkMaps(ACCOUNT);
        IncrementalEqualsNaivePropertyTest.Script script = new IncrementalEqualsNaivePropertyTest.Script(naive);
        List<AccountEvent> history = new ArrayList<>(List.of(accountCreated(), allGroup()));
        history.forEach(event -> {
            live.apply(event);
            naive.apply(event);
        });
        for (IncrementalEqualsNaivePropertyTest.Step step : steps) {
            AccountEvent event = script.eventFor(step);
            if (event == null) {
                continue;
            }
            history.add(event);
            naive.apply(event);
            live.apply(event);
            assertThat(live.accessiblePeerCounts(ACCOUNT)).as("live counts after %s", event)
                    .isEqualTo(countsOf(live.currentMaps(ACCOUNT)));
        }

        NetworkMapProjector onDemand = NetworkMapProjector.computingOnDemand();
        for (int i = 0; i < history.size(); i++) {
            onDemand.stage(history.get(i), i);
        }
        Map<String, Integer> counted = onDemand.accessiblePeerCounts(ACCOUNT);
        assertThat(counted).as("on-demand counts").isEqualTo(countsOf(onDemand.currentMaps(ACCOUNT)));
        assertThat(counted).as("on-demand counts, as the live projector's maps")
                .isEqualTo(countsOf(live.currentMaps(ACCOUNT)));
    }

    private static Map<String, Integer> countsOf(Map<String, PeerNetworkMap> maps) {
        Map<String, Integer> counts = new HashMap<>();
        maps.forEach((peerId, map) -> counts.put(peerId, map.remotePeers().size() + map.offlinePeers().size()));
        return counts;
    }
}

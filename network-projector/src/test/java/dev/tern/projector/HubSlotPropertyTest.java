package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.MeshIp;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any interleaving of publications (in any serial order) and pulls against one subscription's single slot. */
class HubSlotPropertyTest {

    private static PeerNetworkMap map(long serial) {
        MeshIp ip = ip(1);
        return new PeerNetworkMap(ACCOUNT, "a", serial,
                new PeerConfig("a", "a", key(1), ip, ip.address() + "/16", "a.tern.internal", false), List.of(), List.of(), List.of(),
                false);
    }

    /** Positive numbers publish a map with that serial; 0 pulls. */
    @Provide
    Arbitrary<List<Integer>> actions() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(1, 30)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0))).list().ofMaxSize(200);
    }

    @Property(tries = 300)
    void aPullGetsTheNewestMapNotYetTakenAndSerialsOnlyGrow(@ForAll("actions") List<Integer> actions) {
        NetworkMapHub hub = new NetworkMapHub();
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, "a");
        long lastTaken = 0;
        long newestSinceLastPull = 0;
        for (int action : actions) {
            if (action > 0) {
                hub.publish(map(action));
                newestSinceLastPull = Math.max(newestSinceLastPull, action);
                continue;
            }
            Optional<PeerNetworkMap> pulled = subscription.poll();
            if (newestSinceLastPull > lastTaken) {
                assertThat(pulled).map(PeerNetworkMap::serial).contains(newestSinceLastPull);
                lastTaken = newestSinceLastPull;
            } else {
                assertThat(pulled).isEmpty();
            }
            newestSinceLastPull = 0;
        }
    }
}

package dev.tern.projector;

import static dev.tern.projector.Fixture.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.PeerAddedToGroup;
import dev.tern.events.PeerRemovedFromGroup;
import dev.tern.events.PolicyCreated;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Readers query while the event thread applies: every map they see is whole and never shows its own peer. */
class ConcurrentQueriesTest {

    @Test
    void readersSeeConsistentMapsWhileEventsApply() throws Exception {
        NetworkMapProjector projector = new NetworkMapProjector();
        projector.apply(accountCreated());
        projector.apply(allGroup());
        projector.apply(group("dev"));
        projector.apply(new PolicyCreated(ACCOUNT, "p", policy("dev", accept("r", true, List.of("dev"), List.of("dev")))));
        int peers = 40;
        for (int i = 1; i <= peers; i++) {
            projector.apply(peer("p" + i, i));
        }
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        Runnable reader = () -> {
            while (!done.get()) {
                for (int i = 1; i <= peers; i++) {
                    String id = "p" + i;
                    PeerNetworkMap map = projector.currentMap(ACCOUNT, id).orElse(null);
                    if (map == null) {
                        problems.add("no map for " + id);
                    } else if (map.canSee(id)) {
                        problems.add(id + " sees itself");
                    } else if (map.firewallRules().size() != 2 * map.remotePeers().size()) {
                        problems.add(id + " has rules that do not match its peers");
                    }
                }
                Map<String, PeerNetworkMap> all = projector.currentMaps(ACCOUNT);
                if (all.size() != peers) {
                    problems.add("snapshot with " + all.size() + " maps");
                }
            }
        };
        Thread first = new Thread(reader);
        Thread second = new Thread(reader);
        first.start();
        second.start();
        for (int round = 0; round < 200; round++) {
            String id = "p" + (1 + round % peers);
            projector.apply(new PeerAddedToGroup(ACCOUNT, "dev", id));
            if (round % 3 == 0) {
                projector.apply(new PeerRemovedFromGroup(ACCOUNT, "dev", id));
            }
        }
        done.set(true);
        first.join();
        second.join();
        assertThat(problems).isEmpty();
        assertThat(projector.accessiblePeers(ACCOUNT, "p2")).isNotEmpty();
    }
}

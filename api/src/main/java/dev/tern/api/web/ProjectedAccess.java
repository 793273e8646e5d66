package dev.tern.api.web;

import dev.tern.api.history.PointInTime;
import dev.tern.projector.NetworkMapEventHandler;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.projector.RemotePeer;
import dev.tern.query.ProcessorReadYourWrites;
import dev.tern.query.ReadYourWrites;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Who may reach whom, as the REST API tells it: straight from the network projector's per-peer maps, the same
 * maps devices receive over Sync, so the two cannot drift apart.
 *
 * <p>The projector runs on its own tracking processor, so a write the read model already shows may not be in the
 * maps yet. Every answer therefore first waits (bounded) until that processor has handled every event committed
 * when the request arrived, which makes a GET right after a write see it.
 */
@Component
class ProjectedAccess {
    /** Normally milliseconds; the bound only keeps a stuck projector from hanging REST reads. */
    static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(ProjectedAccess.class);

    private final NetworkMapProjector projector;
    private final ReadYourWrites mapsCaughtUp;

    ProjectedAccess(NetworkMapProjector projector, ProcessorReadYourWrites readYourWrites) {
        this.projector = projector;
        this.mapsCaughtUp = readYourWrites.awaiting(List.of(NetworkMapEventHandler.PROCESSING_GROUP));
    }

    /**
     * Ids of the peers the peer may reach or be reached from, in the map's order (by mesh IP); peers whose login
     * expired are among them (the map lists them as offline), as in NetBird.
     */
    List<String> accessiblePeerIds(String accountId, String peerId) {
        return projector().accessiblePeers(accountId, peerId).stream().map(RemotePeer::peerId).toList();
    }

    /**
     * Peer id to the number of peers in its map, offline ones included, for every peer of the account that has a
     * map: always the length of that peer's {@link #accessiblePeerIds}.
     */
    Map<String, Integer> accessibleCounts(String accountId) {
        Optional<PointInTime.State> asOf = PointInTime.current();
        if (asOf.isPresent()) {
            // the as-of projector computes maps on demand: counting from its graph spares computing thousands of
            // maps only to count their peers (the counts equal the maps', pinned by AccessibleCountsPropertyTest)
            return asOf.get().projector().accessiblePeerCounts(accountId);
        }
        Map<String, Integer> counts = new HashMap<>();
        for (Map.Entry<String, PeerNetworkMap> map : projector().currentMaps(accountId).entrySet()) {
            counts.put(map.getKey(), map.getValue().remotePeers().size() + map.getValue().offlinePeers().size());
        }
        return counts;
    }

    /**
     * The maps to answer from: those of the as-of state being read ({@link PointInTime}), else the live projector's
     * once it has caught up.
     */
    NetworkMapProjector projector() {
        Optional<PointInTime.State> asOf = PointInTime.current();
        if (asOf.isPresent()) {
            return asOf.get().projector();
        }
        awaitMaps();
        return projector;
    }

    private void awaitMaps() {
        if (!mapsCaughtUp.awaitCaughtUp(CATCH_UP_TIMEOUT)) {
            // Answer with the maps as they are: slightly stale beats failing a read.
            log.warn("network maps did not catch up within {}; answering from the current maps", CATCH_UP_TIMEOUT);
        }
    }
}

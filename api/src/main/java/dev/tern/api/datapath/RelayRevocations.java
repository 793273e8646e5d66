package dev.tern.api.datapath;

import dev.tern.events.PeerDeleted;
import dev.tern.events.PeerLoginExpired;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.PeerNetworkMap;
import java.time.Instant;
import java.util.Optional;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.Timestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the in-process relay about peers that lost their right to it: a deleted peer, or one whose login expired,
 * has its relay session dropped and the tokens it was handed refused until they lapse (see
 * {@link EmbeddedDataPathNode#revoke}). The processor replays the last token lifetime of events at every boot, so a
 * revocation survives a restart for as long as tokens issued before it (with a configured {@code TERN_RELAY_SECRET})
 * could still be presented.
 */
@ProcessingGroup(RelayRevocations.PROCESSING_GROUP)
final class RelayRevocations {
    static final String PROCESSING_GROUP = "relay-revocations";
    private static final Logger log = LoggerFactory.getLogger(RelayRevocations.class);

    private final EmbeddedDataPathNode node;
    private final NetworkMapProjector projector;

    RelayRevocations(EmbeddedDataPathNode node, NetworkMapProjector projector) {
        this.node = node;
        this.projector = projector;
    }

    @EventHandler
    void on(PeerDeleted event, @Timestamp Instant at) {
        node.revoke(event.wgPubKey(), at);
    }

    @EventHandler
    void on(PeerLoginExpired event, @Timestamp Instant at) {
        // The event names the peer, not its key; the projector knows the key of every peer that still exists.
        Optional<PeerNetworkMap> map = projector.currentMap(event.accountId(), event.peerId());
        if (map.isEmpty()) {
            log.warn("login of peer {} expired but its key is not known (yet); its relay tokens lapse on their own",
                    event.peerId());
            return;
        }
        node.revoke(map.get().peerConfig().wgPubKey(), at);
    }
}

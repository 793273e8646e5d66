package dev.tern.api.expiry;

import dev.tern.api.commands.CommandService;
import dev.tern.api.config.TernSettings;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.meta.Actor;
import dev.tern.query.peers.DuePeer;
import dev.tern.query.peers.ExpiryReads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Deletes ephemeral peers (registered with an ephemeral setup key) that have been gone for
 * {@link TernSettings#ephemeralPeerTtl()}, as NetBird does after 10 minutes: every
 * {@link TernSettings#expiryCheckInterval()} it asks the read model for them and sends {@link DeletePeer} for each,
 * as the system. The deletion is an event like any other (audited as NetBird's {@code user.peer.delete} with the
 * system as initiator), so every map that showed the peer drops it.
 *
 * <p>Connection state is not part of the account, so the account cannot re-check "gone"; the read model is read
 * right before the commands. A peer that reconnects in between is deleted all the same and has to register again,
 * as with NetBird. Runs never overlap; a failed command is logged and the run goes on with the next peer.
 */
@Component
public class EphemeralPeerSweeper extends SystemSweep {
    /** Micrometer name; Prometheus shows it as {@code tern_peer_ephemeral_removals_total}. */
    public static final String REMOVALS_METRIC = "tern.peer.ephemeral.removals";

    private static final Logger log = LoggerFactory.getLogger(EphemeralPeerSweeper.class);

    private final ExpiryReads reads;
    private final CommandService commands;
    private final Clock clock;
    private final Duration ttl;
    private final Counter removals;

    @Autowired
    EphemeralPeerSweeper(ExpiryReads reads, CommandService commands, MeterRegistry meters, TernSettings settings) {
        this(reads, commands, meters, Clock.systemUTC(), settings.expiry().ephemeralPeerTtl(),
                settings.expiry().checkInterval());
    }

    /** With the clock that decides "now" for the query (tests run it ahead). */
    public EphemeralPeerSweeper(ExpiryReads reads, CommandService commands, MeterRegistry meters, Clock clock,
                                Duration ttl, Duration interval) {
        super("ephemeral-peer-sweeper", interval);
        this.reads = reads;
        this.commands = commands;
        this.clock = clock;
        this.ttl = ttl;
        this.removals = Counter.builder(REMOVALS_METRIC)
                .description("Ephemeral peers deleted after being disconnected for the configured time")
                .register(meters);
    }

    /** One run: returns how many peers it deleted (a peer deleted meanwhile by someone else does not count). */
    @Override
    protected int sweepOnce() {
        List<DuePeer> gone;
        try {
            gone = reads.ephemeralPeersGoneFor(ttl, clock.instant());
        } catch (RuntimeException e) {
            log.warn("could not look for ephemeral peers to delete: {}", e.toString());
            return 0;
        }
        return delete(gone);
    }

    private int delete(List<DuePeer> gone) {
        int deleted = 0;
        for (DuePeer peer : gone) {
            if (stopping()) {
                break;
            }
            try {
                withOwnCorrelation(() -> commands.sendWithoutWaitingForReads(
                        new DeletePeer(peer.accountId(), peer.peerId()), Actor.SYSTEM, null));
                deleted++;
                removals.increment();
                log.info("peer {} of account {}: ephemeral and disconnected for {}, deleted", peer.peerId(),
                        peer.accountId(), ttl);
            } catch (RuntimeException e) {
                log.warn("could not delete ephemeral peer {} of account {}: {}", peer.peerId(), peer.accountId(),
                        e.toString());
            }
        }
        return deleted;
    }
}

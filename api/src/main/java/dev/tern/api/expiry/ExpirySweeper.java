package dev.tern.api.expiry;

import dev.tern.api.commands.CommandService;
import dev.tern.api.config.TernSettings;
import dev.tern.events.commands.ExpirePeerLogin;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.PeerExpiry;
import dev.tern.query.peers.DuePeer;
import dev.tern.query.peers.ExpiryReads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Expires peer logins whose time has come. Every {@link TernSettings#expiryCheckInterval()} it asks the read model
 * for the peers due for login and for inactivity expiration and sends {@link ExpirePeerLogin} for each, as the
 * system. The read model may lag (a renewal, a settings change not projected yet): the account re-checks every
 * command, so a stale candidate costs one command that changes nothing.
 *
 * <p>Runs never overlap: the schedule waits for a run to end before the next delay starts, and a run started by
 * hand waits for a running one. A failed command is logged and the run goes on with the next peer; a failed query
 * is logged and the run goes on with the other cause; the next run tries everything again.
 */
@Component
public class ExpirySweeper extends SystemSweep {
    /** Micrometer name; Prometheus shows it as {@code tern_peer_login_expiries_total{cause="login"}}. */
    public static final String EXPIRIES_METRIC = "tern.peer.login.expiries";

    private static final Logger log = LoggerFactory.getLogger(ExpirySweeper.class);

    private final ExpiryReads reads;
    private final CommandService commands;
    private final Clock clock;
    private final Map<PeerExpiry, Counter> expiries = new EnumMap<>(PeerExpiry.class);

    @Autowired
    ExpirySweeper(ExpiryReads reads, CommandService commands, MeterRegistry meters, TernSettings settings) {
        this(reads, commands, meters, Clock.systemUTC(), settings.expiry().checkInterval());
    }

    /** With the clock that decides "now" for the due-peer queries (tests run it ahead). */
    public ExpirySweeper(ExpiryReads reads, CommandService commands, MeterRegistry meters, Clock clock,
                         Duration interval) {
        super("expiry-sweeper", interval);
        this.reads = reads;
        this.commands = commands;
        this.clock = clock;
        for (PeerExpiry cause : PeerExpiry.values()) {
            expiries.put(cause, Counter.builder(EXPIRIES_METRIC).tag("cause", cause.wireName())
                    .description("Peer logins expired by the expiry sweeper").register(meters));
        }
    }

    /**
     * One run: every due peer of every account gets its command. Returns how many peers it expired (commands
     * the account turned down as not due, or that failed, do not count).
     */
    @Override
    protected int sweepOnce() {
        Instant now = clock.instant();
        int expired = 0;
        for (PeerExpiry cause : PeerExpiry.values()) {
            List<DuePeer> due;
            try {
                due = reads.peersDueForExpiry(cause, now);
            } catch (RuntimeException e) {
                log.warn("could not look for peers due for {} expiry: {}", cause.wireName(), e.toString());
                continue;
            }
            expired += expire(due, cause);
        }
        return expired;
    }

    private int expire(List<DuePeer> due, PeerExpiry cause) {
        int expired = 0;
        for (DuePeer peer : due) {
            if (stopping()) {
                break;
            }
            try {
                Boolean done = withOwnCorrelation(() -> commands.sendWithoutWaitingForReads(
                        new ExpirePeerLogin(peer.accountId(), peer.peerId(), cause), Actor.SYSTEM, null));
                if (Boolean.TRUE.equals(done)) {
                    expired++;
                    expiries.get(cause).increment();
                    log.info("peer {} of account {}: login expired ({})", peer.peerId(), peer.accountId(),
                            cause.wireName());
                }
            } catch (RuntimeException e) {
                log.warn("could not expire peer {} of account {} ({}): {}", peer.peerId(), peer.accountId(),
                        cause.wireName(), e.toString());
            }
        }
        return expired;
    }
}

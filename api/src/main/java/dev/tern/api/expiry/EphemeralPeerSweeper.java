package dev.tern.api.expiry;

import dev.tern.api.commands.CommandService;
import dev.tern.api.config.TernSettings;
import dev.tern.events.commands.DeletePeer;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.Ids;
import dev.tern.query.DuePeer;
import dev.tern.query.ReadModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
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
public class EphemeralPeerSweeper implements SmartLifecycle {
    /** Micrometer name; Prometheus shows it as {@code tern_peer_ephemeral_removals_total}. */
    public static final String REMOVALS_METRIC = "tern.peer.ephemeral.removals";

    private static final Logger log = LoggerFactory.getLogger(EphemeralPeerSweeper.class);

    private final ReadModel reads;
    private final CommandService commands;
    private final Clock clock;
    private final Duration ttl;
    private final Duration interval;
    private final Counter removals;
    private final ReentrantLock running = new ReentrantLock();
    private ScheduledExecutorService schedule;
    /** Set while stopping: a run in progress ends after its current command instead of walking on. */
    private volatile boolean stopping;

    @Autowired
    EphemeralPeerSweeper(ReadModel reads, CommandService commands, MeterRegistry meters, TernSettings settings) {
        this(reads, commands, meters, Clock.systemUTC(), settings.ephemeralPeerTtl(), settings.expiryCheckInterval());
    }

    /** With the clock that decides "now" for the query (tests run it ahead). */
    public EphemeralPeerSweeper(ReadModel reads, CommandService commands, MeterRegistry meters, Clock clock,
                                Duration ttl, Duration interval) {
        this.reads = reads;
        this.commands = commands;
        this.clock = clock;
        this.ttl = ttl;
        this.interval = interval;
        this.removals = Counter.builder(REMOVALS_METRIC)
                .description("Ephemeral peers deleted after being disconnected for the configured time")
                .register(meters);
    }

    /** One run: returns how many peers it deleted (a peer deleted meanwhile by someone else does not count). */
    public int sweep() {
        running.lock();
        try {
            List<DuePeer> gone;
            try {
                gone = reads.ephemeralPeersGoneFor(ttl, clock.instant());
            } catch (RuntimeException e) {
                log.warn("could not look for ephemeral peers to delete: {}", e.toString());
                return 0;
            }
            return delete(gone);
        } finally {
            running.unlock();
        }
    }

    private int delete(List<DuePeer> gone) {
        int deleted = 0;
        String callersCorrelation = MDC.get(CommandService.MDC_CORRELATION_ID);
        for (DuePeer peer : gone) {
            if (stopping) {
                break;
            }
            // One correlation id per command, so each deletion's events can be told apart in the store.
            MDC.put(CommandService.MDC_CORRELATION_ID, Ids.newId());
            try {
                commands.sendWithoutWaitingForReads(new DeletePeer(peer.accountId(), peer.peerId()), Actor.SYSTEM,
                        null);
                deleted++;
                removals.increment();
                log.info("peer {} of account {}: ephemeral and disconnected for {}, deleted", peer.peerId(),
                        peer.accountId(), ttl);
            } catch (RuntimeException e) {
                log.warn("could not delete ephemeral peer {} of account {}: {}", peer.peerId(), peer.accountId(),
                        e.toString());
            } finally {
                if (callersCorrelation == null) {
                    MDC.remove(CommandService.MDC_CORRELATION_ID);
                } else {
                    MDC.put(CommandService.MDC_CORRELATION_ID, callersCorrelation);
                }
            }
        }
        return deleted;
    }

    private void scheduledSweep() {
        try {
            sweep();
        } catch (RuntimeException e) {
            // An exception would cancel the schedule for good; the next run tries again instead.
            log.warn("ephemeral peer sweep failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void start() {
        if (schedule == null) {
            stopping = false;
            schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "ephemeral-peer-sweeper");
                thread.setDaemon(true);
                return thread;
            });
            schedule.scheduleWithFixedDelay(this::scheduledSweep, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (schedule != null) {
            stopping = true;
            schedule.shutdown();
            try {
                if (!schedule.awaitTermination(10, TimeUnit.SECONDS)) {
                    schedule.shutdownNow();
                }
            } catch (InterruptedException e) {
                schedule.shutdownNow();
                Thread.currentThread().interrupt();
            }
            schedule = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return schedule != null;
    }
}

package dev.tern.agent.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Consumer;

/**
 * Applies maps one at a time, never an older one after a newer one, and keeps the newest map whose application
 * failed (nft or the device had a bad moment) so that {@link #retryFailed()} can try it again.
 */
public final class LatestMapApplier {
    private static final Logger LOG = LoggerFactory.getLogger(LatestMapApplier.class);

    private final Consumer<MeshMap> apply;
    private long newestSerial = Long.MIN_VALUE;
    private MeshMap failed;

    public LatestMapApplier(Consumer<MeshMap> apply) {
        this.apply = apply;
    }

    /** Applies {@code map} unless a newer one was offered already; returns whether it is now in effect. */
    public synchronized boolean offer(MeshMap map) {
        if (map.serial() < newestSerial) {
            return false;
        }
        newestSerial = map.serial();
        try {
            apply.accept(map);
            failed = null;
            return true;
        } catch (RuntimeException e) {
            LOG.error("applying network map serial {} failed (will retry): {}", map.serial(), e.getMessage());
            failed = map;
            return false;
        }
    }

    /** Tries the newest failed map again, if there is one. */
    public synchronized void retryFailed() {
        if (failed != null) {
            offer(failed);
        }
    }

    synchronized boolean hasFailed() {
        return failed != null;
    }
}

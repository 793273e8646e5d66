package dev.tern.api.commands;

import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Devices this node registered whose registration the network projector may not have applied yet. Login answers a
 * new device as soon as the account has registered it; its Sync, a few milliseconds later, must still find it. An
 * entry lives until the projector knows the key, or for {@link #LIFETIME} (a peer deleted in between, or a
 * projector that fell far behind: then the device is unknown again and logs in once more).
 */
final class PendingRegistrations {
    static final Duration LIFETIME = Duration.ofMinutes(1);
    /** Past this many entries, expired ones are dropped on the next insert. */
    private static final int SWEEP_ABOVE = 1_000;

    private record Pending(PeerRef peer, long registeredNanos) {
    }

    private final ConcurrentHashMap<WireGuardKey, Pending> byKey = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    PendingRegistrations() {
        this(System::nanoTime);
    }

    PendingRegistrations(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    void remember(WireGuardKey key, PeerRef peer) {
        long now = nanoTime.getAsLong();
        if (byKey.size() >= SWEEP_ABOVE) {
            byKey.values().removeIf(p -> expired(p, now));
        }
        byKey.put(key, new Pending(peer, now));
    }

    Optional<PeerRef> find(WireGuardKey key) {
        Pending pending = byKey.get(key);
        if (pending == null) {
            return Optional.empty();
        }
        if (expired(pending, nanoTime.getAsLong())) {
            byKey.remove(key, pending);
            return Optional.empty();
        }
        return Optional.of(pending.peer());
    }

    boolean contains(WireGuardKey key) {
        return find(key).isPresent();
    }

    /** The projector knows the key now. */
    void forget(WireGuardKey key) {
        if (!byKey.isEmpty()) {
            byKey.remove(key);
        }
    }

    int size() {
        return byKey.size();
    }

    private static boolean expired(Pending pending, long now) {
        return now - pending.registeredNanos() > LIFETIME.toNanos();
    }
}

package dev.tern.api.grpc;

import com.google.protobuf.ByteString;
import dev.tern.events.values.WireGuardKey;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Refuses a management message body that was already accepted from the same peer. NetBird's bodies carry no time
 * and no sequence number, only {@code nonce(24) ‖ box}; the random nonce is what tells two messages apart, so a
 * captured message sent again (a Sync that opens a stream for the victim, a Logout that ends its real one) has a
 * nonce this guard has seen. Only the holder of the peer's private key can make a body that opens, so only the peer
 * itself (or the server) adds nonces for its key.
 * <p>
 * Memory is bounded three ways: a nonce is remembered for {@link #WINDOW}; a peer keeps at most its newest
 * {@code perPeer} nonces (a peer in a reconnect loop pushes out only its own old ones); and all peers together keep
 * at most {@code total} (then the oldest go first, whoever sent them). A replay older than what is remembered is
 * not detected: that is the residual risk of a protocol without timestamps, which only TLS (no capture) removes.
 */
final class ReplayGuard {
    /** How long a nonce is remembered; a replay of an older capture gets through. */
    static final Duration WINDOW = Duration.ofHours(24);
    /** Newest nonces kept per peer: a peer sends a Login and a Sync per connection, plus a rare Logout. */
    static final int PER_PEER = 64;
    /** All peers together: about 150 bytes each, so at most ~30 MB. */
    static final int TOTAL = 200_000;
    static final int NONCE_BYTES = 24;

    private record Seen(WireGuardKey peer, ByteString nonce, long atNanos) {
    }

    private final Map<WireGuardKey, LinkedHashMap<ByteString, Long>> byPeer = new HashMap<>();
    /** Every remembered nonce in arrival order (so the oldest expire first); entries a peer dropped are skipped. */
    private final ArrayDeque<Seen> arrivals = new ArrayDeque<>();
    private final long windowNanos;
    private final int perPeer;
    private final int total;
    private final LongSupplier nanoTime;

    ReplayGuard() {
        this(WINDOW, PER_PEER, TOTAL, System::nanoTime);
    }

    ReplayGuard(Duration window, int perPeer, int total, LongSupplier nanoTime) {
        this.windowNanos = window.toNanos();
        this.perPeer = perPeer;
        this.total = total;
        this.nanoTime = nanoTime;
    }

    /**
     * Whether this body's nonce is new for the peer; remembers it. A body too short to hold a nonce never opens, so
     * it is not judged here.
     */
    synchronized boolean firstSeen(WireGuardKey peer, ByteString body) {
        if (body.size() < NONCE_BYTES) {
            return true;
        }
        ByteString nonce = body.substring(0, NONCE_BYTES);
        long now = nanoTime.getAsLong();
        forgetOlderThan(now - windowNanos);
        LinkedHashMap<ByteString, Long> nonces = byPeer.computeIfAbsent(peer, p -> new LinkedHashMap<>());
        if (nonces.containsKey(nonce)) {
            return false;
        }
        nonces.put(nonce, now);
        arrivals.addLast(new Seen(peer, nonce, now));
        if (nonces.size() > perPeer) {
            Iterator<ByteString> oldest = nonces.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        while (arrivals.size() > total) {
            drop(arrivals.pollFirst());
        }
        return true;
    }

    /**
     * Forgets the body's nonce again: for a call that failed in a way its client retries with the very same body
     * (the call changed nothing, so its replay can change nothing either).
     */
    synchronized void forget(WireGuardKey peer, ByteString body) {
        if (body.size() < NONCE_BYTES) {
            return;
        }
        LinkedHashMap<ByteString, Long> nonces = byPeer.get(peer);
        if (nonces != null) {
            nonces.remove(body.substring(0, NONCE_BYTES));
            if (nonces.isEmpty()) {
                byPeer.remove(peer);
            }
        }
    }

    /** How many nonces are remembered (tests). */
    synchronized int size() {
        return byPeer.values().stream().mapToInt(Map::size).sum();
    }

    private void forgetOlderThan(long cutoffNanos) {
        while (!arrivals.isEmpty() && arrivals.peekFirst().atNanos() - cutoffNanos < 0) {
            drop(arrivals.pollFirst());
        }
    }

    /** Forgets the nonce unless the peer dropped it already (and perhaps saw it again since: then it stays). */
    private void drop(Seen seen) {
        LinkedHashMap<ByteString, Long> nonces = byPeer.get(seen.peer());
        if (nonces == null) {
            return;
        }
        nonces.remove(seen.nonce(), seen.atNanos());
        if (nonces.isEmpty()) {
            byPeer.remove(seen.peer());
        }
    }
}

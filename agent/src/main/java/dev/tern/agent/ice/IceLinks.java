package dev.tern.agent.ice;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Opens an {@link IceLink} per peer with what every link of this agent shares: our WireGuard key (the side with the
 * higher key controls, as NetBird decides it), WireGuard port, relay address, signal version and the STUN servers
 * the management server hands out (read at each open, so a new login's servers apply to the next link).
 *
 * <p>Links are opened under the engine's lock and gathering waits for the STUN servers: when they answered none of
 * a session's requests (UDP to them blocked, the case where every NetBird client is relayed and offered ICE again
 * and again), the links of the next {@link #STUN_QUIET} gather host candidates only.
 */
public final class IceLinks implements IcePeer.Factory {
    private static final int DEFAULT_STUN_PORT = 3478;
    static final Duration STUN_QUIET = Duration.ofMinutes(5);
    /** Gathering that took this long without a server-reflexive candidate waited for the harvest timeout. */
    private static final Duration STUN_WAITED = Duration.ofSeconds(1);
    private final String localKey;
    private final int wgListenPort;
    private final Supplier<String> relayAddress;
    private final String version;
    private final Supplier<List<InetSocketAddress>> stunServers;
    /** {@link System#nanoTime} before which links skip STUN; guarded by {@code this}. */
    private long stunQuietUntil;
    private boolean stunQuiet;

    public IceLinks(String localKey, int wgListenPort, Supplier<String> relayAddress, String version,
                    Supplier<List<InetSocketAddress>> stunServers) {
        this.localKey = localKey;
        this.wgListenPort = wgListenPort;
        this.relayAddress = relayAddress;
        this.version = version;
        this.stunServers = stunServers;
    }

    /**
     * A STUN server from the management server's {@code Stuns} ({@code stun:host:port}, port 3478 when missing),
     * resolved now; empty for other schemes (TURN is NetBird's, not ours) or a host that does not resolve.
     */
    public static Optional<InetSocketAddress> stunServer(String uri) {
        if (uri == null || !uri.startsWith("stun:")) {
            return Optional.empty();
        }
        String hostPort = uri.substring("stun:".length()).split("\\?", 2)[0];
        String host = hostPort;
        int port = DEFAULT_STUN_PORT;
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0 && hostPort.indexOf(':') == colon) { // host:port; a bare IPv6 literal has more colons
            host = hostPort.substring(0, colon);
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            return Optional.empty();
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        return address.isUnresolved() ? Optional.empty() : Optional.of(address);
    }

    private synchronized boolean stunQuiet() {
        return stunQuiet && System.nanoTime() - stunQuietUntil < 0;
    }

    private synchronized void quietStun() {
        stunQuiet = true;
        stunQuietUntil = System.nanoTime() + STUN_QUIET.toNanos();
    }

    /** NetBird's rule ({@code isController: LocalKey > Key}, Go's byte-wise string order). */
    static boolean controlling(String localKey, String remoteKey) {
        return localKey.compareTo(remoteKey) > 0;
    }

    @Override
    public IcePeer open(String remoteKey, IcePeer.Listener listener) throws IOException {
        List<InetSocketAddress> stuns = stunQuiet() ? List.of() : stunServers.get();
        long start = System.nanoTime();
        IceSession session = new IceSession(controlling(localKey, remoteKey), stuns);
        if (!stuns.isEmpty() && System.nanoTime() - start >= STUN_WAITED.toNanos()
                && session.localCandidates().stream().noneMatch(candidate -> candidate.type().equals("srflx"))) {
            quietStun();
        }
        try {
            return new IceLink(session, wgListenPort, relayAddress, version, listener);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }
}

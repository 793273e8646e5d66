package dev.tern.api.datapath;

import dev.tern.api.config.TernSettings;
import dev.tern.api.tls.ListenerTls;
import dev.tern.events.values.WireGuardKey;
import dev.tern.protocol.management.HostConfig;
import java.time.Clock;
import java.util.List;

/** Test access to what the data-path node hands peers and to its package-private parts, for tests outside it. */
public final class HandOutProbe implements AutoCloseable {
    private final EmbeddedDataPathNode node;
    private final PeerDataPathConfig handOut;

    private HandOutProbe(EmbeddedDataPathNode node, PeerDataPathConfig handOut) {
        this.node = node;
        this.handOut = handOut;
    }

    /** Starts the in-process signal node and relay as tern-server would. */
    public static HandOutProbe start(TernSettings settings, ListenerTls tls, Clock clock) {
        EmbeddedDataPathNode node = new EmbeddedDataPathNode(settings, tls, clock);
        node.start();
        return new HandOutProbe(node, new PeerDataPathConfig(settings, node));
    }

    public HostConfig signal(String managementHost) {
        return handOut.signal(managementHost);
    }

    public List<String> relayUrls(String managementHost) {
        // any peer: the URLs do not depend on whom the token is bound to
        return handOut.relay(managementHost, WireGuardKey.of(new byte[32])).orElseThrow().getUrlsList();
    }

    public int signalPort() {
        return node.signalPort();
    }

    public int relayPort() {
        return node.relayPort();
    }

    /** The secret a running server's relay tokens are signed with, to verify them independently. */
    public static String relaySecret(EmbeddedDataPathNode node) {
        return node.tokens().secret();
    }

    /** Whether a running server's in-process relay has an authenticated session for the peer. */
    public static boolean relayHasSession(EmbeddedDataPathNode node, WireGuardKey peerKey) {
        return node.relayHasSession(peerKey);
    }

    @Override
    public void close() {
        node.stop();
    }
}

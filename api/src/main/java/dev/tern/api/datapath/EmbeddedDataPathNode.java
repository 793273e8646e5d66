package dev.tern.api.datapath;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;
import dev.tern.api.tls.ListenerTls;
import dev.tern.events.values.WireGuardKey;
import dev.tern.protocol.relay.PeerId;
import dev.tern.signal.DataPathSettings;
import dev.tern.signal.SignalRelayNode;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The data-path node inside tern-server: one {@link SignalRelayNode} from {@link TernSettings#dataPath()}, run
 * through this one lifecycle. Without {@code TERN_SIGNAL_URL} it runs signal (port {@code TERN_SIGNAL_PORT}, default
 * 10000), STUN unless external STUN servers are configured or it is off, and the relay unless external relays are
 * configured; with it, nothing runs here and peers are sent to the external node.
 *
 * <p>The relay verifies the tokens of tern-server's own {@link RelayTokenIssuer}: without {@code TERN_RELAY_SECRET}
 * they are signed with a random secret made at start, as the relay and the issuer are the same process. Signal and
 * relay serve the certificate of {@link ListenerTls}, which ACME renewals and PEM reloads replace in place.
 *
 * <p>{@link DataPathSettings#signalPort()} follows a free gRPC port: test servers ({@code tern.grpc-port=0}) put
 * their node on free ports too, so parallel test servers never fight over 10000.
 */
public final class EmbeddedDataPathNode implements SmartLifecycle {
    /** Before the management service starts (it hands out this node's addresses) and after it stops. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2049;
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDataPathNode.class);

    private final TernSettings settings;
    private final ListenerTls tls;
    private final RelayTokenIssuer tokens;
    private volatile SignalRelayNode node;

    public EmbeddedDataPathNode(TernSettings settings, ListenerTls tls, Clock clock) {
        this.settings = settings;
        this.tls = tls;
        this.tokens = new RelayTokenIssuer(settings.dataPath().node().relaySecret(),
                settings.dataPath().relayTokenLifetime(), clock);
    }

    @Override
    public synchronized void start() {
        if (!runsInProcess() || node != null) {
            return;
        }
        DataPathSettings dataPath = settings.dataPath().node();
        SignalRelayNode.Builder builder = SignalRelayNode.builder(dataPath).tls(tls.serverTls());
        if (!settings.dataPath().runsStunInProcess()) {
            builder.withoutStun();
        }
        if (settings.dataPath().runsRelayInProcess()) {
            builder.relay(tokens.verifier(), dataPath.relayUrlOnThisHost(usesTls()));
        }
        SignalRelayNode started;
        try {
            started = builder.build().start();
        } catch (SignalRelayNode.ServiceStartException e) {
            throw startupFailure(e, dataPath);
        }
        node = started;
        log.info("In-process signal node on port {}", started.signalPort());
        if (started.stunPort() >= 0) {
            log.info("In-process STUN service on udp port {}", started.stunPort());
        }
        if (started.relayPort() >= 0) {
            log.info("In-process relay on port {}", started.relayPort());
        }
    }

    /** The node's own words name the service; tern-server's name the port and the variable that moves it. */
    private static StartupFailure startupFailure(SignalRelayNode.ServiceStartException e, DataPathSettings dataPath) {
        String reason = e.getCause().getMessage();
        return switch (e.service()) {
            case SIGNAL -> new StartupFailure("signal cannot listen on port " + dataPath.signalPort() + " ("
                    + reason + "); set " + TernSettings.SIGNAL_PORT + " to a free port", e);
            case STUN -> new StartupFailure("STUN cannot listen on udp port " + dataPath.stunPort().getAsInt()
                    + " (" + reason + "); set " + TernSettings.STUN_PORT + " to a free port or to off", e);
            case RELAY -> new StartupFailure("relay cannot listen on port " + dataPath.relayPort() + " ("
                    + reason + "); set " + TernSettings.RELAY_PORT + " to a free port", e);
        };
    }

    @Override
    public synchronized void stop() {
        SignalRelayNode running = node;
        node = null;
        if (running != null) {
            running.close();
        }
    }

    @Override
    public boolean isRunning() {
        return !runsInProcess() || node != null;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Whether this process runs the node (no {@code TERN_SIGNAL_URL}). */
    boolean runsInProcess() {
        return settings.dataPath().runsSignalInProcess();
    }

    /** Whether signal and relay speak TLS (peers are then told HTTPS and {@code rels://}). */
    boolean usesTls() {
        return tls.enabled();
    }

    RelayTokenIssuer tokens() {
        return tokens;
    }

    /** The bound port of the in-process signal node. */
    public int signalPort() {
        return running("no in-process signal node is running").signalPort();
    }

    /** The bound UDP port of the in-process STUN service. */
    public int stunPort() {
        int port = running("no in-process STUN service is running").stunPort();
        if (port < 0) {
            throw new IllegalStateException("no in-process STUN service is running");
        }
        return port;
    }

    /** The bound port of the in-process relay. */
    public int relayPort() {
        int port = running("no in-process relay is running").relayPort();
        if (port < 0) {
            throw new IllegalStateException("no in-process relay is running");
        }
        return port;
    }

    /**
     * The peer was deleted or its login expired at {@code at}: the in-process relay drops its session and refuses
     * every token issued to it up to then (see {@link RelayTokenIssuer#revoke}). Nothing to do for external relays,
     * which only the token lifetime bounds.
     */
    void revoke(WireGuardKey peerKey, Instant at) {
        SignalRelayNode running = node;
        if (running == null || running.relayPort() < 0) {
            return;
        }
        PeerId peer = PeerId.ofPublicKey(peerKey.base64());
        tokens.revoke(peer, at).ifPresent(tokensExpiringBy -> {
            running.revokeRelayAccess(peer, tokensExpiringBy);
            log.info("relay access of peer {} revoked: its session ends and its tokens expiring by {} are refused",
                    peerKey.base64(), tokensExpiringBy);
        });
    }

    /** Whether the in-process relay has an authenticated session for the peer. */
    boolean relayHasSession(WireGuardKey peerKey) {
        SignalRelayNode running = node;
        return running != null && running.relayHasSession(PeerId.ofPublicKey(peerKey.base64()));
    }

    private SignalRelayNode running(String notRunning) {
        SignalRelayNode running = node;
        if (running == null) {
            throw new IllegalStateException(notRunning);
        }
        return running;
    }
}

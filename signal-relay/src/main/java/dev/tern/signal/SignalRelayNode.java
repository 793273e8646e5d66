package dev.tern.signal;

import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayTokens;
import dev.tern.signal.relay.RelayServer;
import dev.tern.signal.stun.StunServer;
import dev.tern.signal.tls.ServerTls;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The whole data-path node: signal (gRPC, always), STUN (UDP, unless {@code TERN_STUN_PORT=off}) and the relay
 * (WebSocket, only when {@code TERN_RELAY_SECRET} is set, because its tokens come from the management server
 * holding the same secret). The one place that composes the three: the standalone node ({@link #fromSettings}) and
 * tern-server ({@link #builder}, with its own token verifier, relay URL and TLS) both run it.
 *
 * <p>Settings: {@link DataPathSettings}, the one parser the standalone node and tern-server share.
 */
public final class SignalRelayNode implements AutoCloseable {
    private final SignalServer signal;
    private final StunServer stun;
    private final RelayServer relay;

    private SignalRelayNode(SignalServer signal, StunServer stun, RelayServer relay) {
        this.signal = signal;
        this.stun = stun;
        this.relay = relay;
    }

    /**
     * The node from the standalone process's environment ({@link DataPathSettings#forNode}).
     *
     * @throws IllegalArgumentException with a one-line reason for any invalid setting
     */
    public static SignalRelayNode fromEnvironment(Map<String, String> env) {
        return fromSettings(DataPathSettings.forNode(env));
    }

    /**
     * The standalone node: TLS from the settings' PEM files, the relay (with a secret) verifying tokens signed with
     * it and announcing {@link DataPathSettings#announcedRelayUrl()}.
     *
     * @throws IllegalArgumentException with a one-line reason when the TLS files cannot be used
     */
    public static SignalRelayNode fromSettings(DataPathSettings settings) {
        Builder builder = builder(settings).tls(settings.tlsFiles()
                .map(files -> ServerTls.fromPemFiles(files.certFile(), files.keyFile())));
        settings.relaySecret().ifPresent(secret -> builder.relay(
                RelayTokens.fromSharedSecret(secret.value(), Clock.systemUTC()), settings.announcedRelayUrl()));
        return builder.build();
    }

    /**
     * A node on the settings' ports and signal limits, with STUN unless the settings turn it off, and no relay and
     * no TLS until the builder is told otherwise.
     */
    public static Builder builder(DataPathSettings settings) {
        return new Builder(settings);
    }

    /** What an embedding process decides itself: TLS, whether STUN runs, and the relay's tokens and URL. */
    public static final class Builder {
        private final DataPathSettings settings;
        private Optional<ServerTls> tls = Optional.empty();
        private boolean stun;
        private RelayTokens relayTokens;
        private String relayUrl;

        private Builder(DataPathSettings settings) {
            this.settings = settings;
            this.stun = settings.stunPort().isPresent();
        }

        /** Signal and relay serve TLS only with this certificate (reloaded in place, so one reload reaches both). */
        public Builder tls(Optional<ServerTls> serverTls) {
            this.tls = serverTls;
            return this;
        }

        /** No STUN service even when the settings give it a port (the embedding process hands out other ones). */
        public Builder withoutStun() {
            this.stun = false;
            return this;
        }

        /**
         * Runs the relay on the settings' relay port.
         *
         * @param tokens      verifies the tokens peers authenticate with
         * @param instanceUrl the relay's own URL, told to authenticated peers ({@code rel://} or {@code rels://})
         */
        public Builder relay(RelayTokens tokens, String instanceUrl) {
            this.relayTokens = tokens;
            this.relayUrl = instanceUrl;
            return this;
        }

        public SignalRelayNode build() {
            SignalServer signalServer = new SignalServer(new InetSocketAddress(settings.signalPort()),
                    settings.signalLimits());
            tls.ifPresent(signalServer::tls);
            StunServer stunServer = stun ? new StunServer(settings.stunPort().getAsInt()) : null;
            RelayServer relayServer = null;
            if (relayTokens != null) {
                relayServer = new RelayServer(new InetSocketAddress(settings.relayPort()), relayTokens, relayUrl);
                tls.ifPresent(relayServer::tls);
            }
            return new SignalRelayNode(signalServer, stunServer, relayServer);
        }
    }

    /** The node's services, to say which one could not start. */
    public enum Service { SIGNAL, STUN, RELAY }

    /**
     * A service of the node could not bind its port. The message is the service's own; {@link #getCause()} is the
     * socket error, for an embedding process that words the failure in its own terms.
     */
    public static final class ServiceStartException extends UncheckedIOException {
        private final Service service;

        ServiceStartException(Service service, UncheckedIOException failure) {
            super(failure.getMessage(), failure.getCause());
            this.service = service;
        }

        public Service service() {
            return service;
        }
    }

    /**
     * Starts every configured service; if one cannot start, the ones already started are stopped again.
     *
     * @throws ServiceStartException naming the service whose port could not be bound
     */
    public SignalRelayNode start() {
        try {
            startService(Service.SIGNAL, signal::start);
            if (stun != null) {
                startService(Service.STUN, stun::start);
            }
            if (relay != null) {
                startService(Service.RELAY, relay::start);
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static void startService(Service service, Runnable start) {
        try {
            start.run();
        } catch (UncheckedIOException e) {
            throw new ServiceStartException(service, e);
        }
    }

    /** Whether signal and relay speak TLS. */
    public boolean usesTls() {
        return signal.usesTls();
    }

    public int signalPort() {
        return signal.port();
    }

    /** @return the STUN port, or -1 when STUN is off */
    public int stunPort() {
        return stun == null ? -1 : stun.port();
    }

    /** @return the relay port, or -1 when no relay runs */
    public int relayPort() {
        return relay == null ? -1 : relay.port();
    }

    /**
     * Ends the relay session of a peer that lost its right to the relay and refuses its tokens expiring at or before
     * {@code tokensExpiringBy}; nothing when no relay runs.
     */
    public void revokeRelayAccess(PeerId peer, Instant tokensExpiringBy) {
        if (relay != null) {
            relay.revoke(peer, tokensExpiringBy);
        }
    }

    /** Whether the relay has an authenticated session for the peer. */
    public boolean relayHasSession(PeerId peer) {
        return relay != null && relay.isConnected(peer);
    }

    public void awaitTermination() throws InterruptedException {
        signal.awaitTermination();
    }

    @Override
    public void close() {
        if (relay != null) {
            relay.close();
        }
        if (stun != null) {
            stun.close();
        }
        signal.close();
    }
}

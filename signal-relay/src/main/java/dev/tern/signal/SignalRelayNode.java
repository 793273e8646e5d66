package dev.tern.signal;

import dev.tern.protocol.relay.RelayTokens;
import dev.tern.signal.relay.RelayServer;
import dev.tern.signal.stun.StunServer;
import dev.tern.signal.tls.ServerTls;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The whole data-path node: signal (gRPC, always), STUN (UDP, unless {@code TERN_STUN_PORT=off}) and the relay
 * (WebSocket, only when {@code TERN_RELAY_SECRET} is set, because its tokens come from the management server
 * holding the same secret).
 *
 * <p>Settings: {@link DataPathSettings}, the one parser the standalone node and tern-server share.
 */
public final class SignalRelayNode implements AutoCloseable {
    private final SignalServer signal;
    private final StunServer stun;
    private final RelayServer relay;

    SignalRelayNode(SignalServer signal, StunServer stun, RelayServer relay) {
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

    /** @throws IllegalArgumentException with a one-line reason when the TLS files cannot be used */
    public static SignalRelayNode fromSettings(DataPathSettings settings) {
        Optional<ServerTls> tls = settings.tlsFiles()
                .map(files -> ServerTls.fromPemFiles(files.certFile(), files.keyFile()));
        SignalServer signal = new SignalServer(new InetSocketAddress(settings.signalPort()), settings.signalLimits());
        tls.ifPresent(signal::tls);
        StunServer stun = settings.stunPort().isPresent() ? new StunServer(settings.stunPort().getAsInt()) : null;
        RelayServer relay = null;
        if (settings.relaySecret().isPresent()) {
            relay = new RelayServer(new InetSocketAddress(settings.relayPort()),
                    RelayTokens.fromSharedSecret(settings.relaySecret().get().value(), Clock.systemUTC()),
                    settings.announcedRelayUrl());
            tls.ifPresent(relay::tls);
        }
        return new SignalRelayNode(signal, stun, relay);
    }

    /** Starts every configured service; if one cannot start, the ones already started are stopped again. */
    public SignalRelayNode start() {
        try {
            signal.start();
            if (stun != null) {
                stun.start();
            }
            if (relay != null) {
                relay.start();
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
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

    /** @return the relay port, or -1 when no relay secret is configured */
    public int relayPort() {
        return relay == null ? -1 : relay.port();
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

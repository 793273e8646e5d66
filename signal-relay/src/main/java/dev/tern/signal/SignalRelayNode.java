package dev.tern.signal;

import dev.tern.protocol.relay.RelayTokens;
import dev.tern.signal.relay.RelayServer;
import dev.tern.signal.stun.StunServer;
import dev.tern.signal.tls.ServerTls;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * The whole data-path node: signal (gRPC, always), STUN (UDP, unless {@code TERN_STUN_PORT=off}) and the relay
 * (WebSocket, only when {@code TERN_RELAY_SECRET} is set, because its tokens come from the management server
 * holding the same secret).
 *
 * <p>Environment: {@code TERN_SIGNAL_PORT} (10000), {@code TERN_STUN_PORT} (3478 or {@code off}),
 * {@code TERN_RELAY_PORT} (33080), {@code TERN_RELAY_SECRET}, {@code TERN_RELAY_EXPOSED_ADDRESS}
 * ({@code rel://<hostname>:<relay port>}, {@code rels://} with TLS), {@code TERN_TLS_CERT_FILE} and
 * {@code TERN_TLS_KEY_FILE} (PEM; when set, signal and relay serve TLS only, reloading the files when they change).
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

    /** @throws IllegalArgumentException with a one-line reason for any invalid setting */
    public static SignalRelayNode fromEnvironment(Map<String, String> env) {
        Optional<ServerTls> tls = ServerTls.fromEnvironment(env);
        SignalServer signal = SignalServer.fromEnvironment(env);
        tls.ifPresent(signal::tls);
        String stunSetting = env.getOrDefault(StunServer.PORT_VARIABLE, "");
        StunServer stun = "off".equalsIgnoreCase(stunSetting.trim()) ? null
                : new StunServer(Ports.fromEnvironment(env, StunServer.PORT_VARIABLE, StunServer.DEFAULT_PORT));
        RelayServer relay = null;
        String secret = env.get(RelayServer.SECRET_VARIABLE);
        if (secret != null && !secret.isBlank()) {
            int relayPort = Ports.fromEnvironment(env, RelayServer.PORT_VARIABLE, RelayServer.DEFAULT_PORT);
            String exposed = env.get(RelayServer.EXPOSED_ADDRESS_VARIABLE);
            if (exposed == null || exposed.isBlank()) {
                exposed = (tls.isPresent() ? "rels://" : "rel://") + localHostName() + ":" + relayPort;
            }
            if (tls.isPresent() && exposed.startsWith("rel://")) {
                throw new IllegalArgumentException(RelayServer.EXPOSED_ADDRESS_VARIABLE + " must be a rels:// URL when "
                        + ServerTls.CERT_FILE_VARIABLE + " is set (the relay then speaks TLS only), got '" + exposed + "'");
            }
            if (!exposed.startsWith("rel://") && !exposed.startsWith("rels://")) {
                throw new IllegalArgumentException(RelayServer.EXPOSED_ADDRESS_VARIABLE
                        + " must start with rel:// or rels://, got '" + exposed + "'");
            }
            relay = new RelayServer(new InetSocketAddress(relayPort),
                    RelayTokens.fromSharedSecret(secret, Clock.systemUTC()), exposed);
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

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}

package dev.tern.api.grpc;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;
import dev.tern.api.tls.ListenerTls;
import dev.tern.protocol.management.HostConfig;
import dev.tern.protocol.management.RelayConfig;
import dev.tern.events.values.WireGuardKey;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayToken;
import dev.tern.protocol.relay.RelayTokens;
import dev.tern.signal.DataPathSettings;
import dev.tern.signal.relay.RelayServer;
import dev.tern.signal.stun.StunServer;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Where peers find STUN and the relay, and the relay tokens they authenticate with. Configured external nodes
 * ({@code TERN_STUN_URLS}, {@code TERN_RELAY_URLS}) are handed out as given; otherwise, next to the in-process
 * signal node, a {@link StunServer} and a {@link RelayServer} run inside tern-server and peers get them at the host
 * they used to reach the management service, like the signal node.
 *
 * <p>Without {@code TERN_RELAY_SECRET} the in-process relay signs with a random secret made at start: the relay and
 * the token issuer are the same process, so nothing else needs to know it.
 *
 * <p>Every token is bound to the relay peer id of the peer it is handed to (the hash of its WireGuard key) and lives
 * {@code TERN_RELAY_TOKEN_TTL} (1 h by default); Login, every Sync response and the periodic config resend hand out a
 * fresh one. When a peer is deleted or its login expires, {@link #revoke} tells the in-process relay to drop its
 * session and refuse the tokens it was given; external relays cannot be told, there the lifetime bounds it.
 */
final class StunRelayEndpoints implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(StunRelayEndpoints.class);

    private final List<HostConfig> externalStuns;
    private final List<String> externalRelays;
    private final OptionalInt inProcessStunPort;
    private final boolean relayInProcess;
    private final int inProcessRelayPort;
    private final String relaySecret;
    private final RelayTokens tokens;
    private final Clock clock;
    private final Duration tokenLifetime;
    /** Revoked peers (in-process relay only) → their tokens expiring at or before this are refused by the relay. */
    private final Map<PeerId, Instant> revokedUntil = new ConcurrentHashMap<>();
    private final ListenerTls tls;
    private volatile StunServer stun;
    private volatile RelayServer relay;

    StunRelayEndpoints(TernSettings settings, Clock clock) {
        this(settings, clock, ListenerTls.plaintext());
    }

    /** With TLS on, the in-process relay serves {@code wss://} only and peers are told {@code rels://}. */
    StunRelayEndpoints(TernSettings settings, Clock clock, ListenerTls tls) {
        this.tls = tls;
        this.externalStuns = settings.stunUrls().stream()
                .map(url -> HostConfig.newBuilder().setUri(url.toString()).setProtocol(HostConfig.Protocol.UDP).build())
                .toList();
        this.externalRelays = settings.relayUrls().stream().map(URI::toString).toList();
        this.inProcessStunPort = settings.runsStunInProcess() ? settings.dataPath().stunPort() : OptionalInt.empty();
        this.relayInProcess = settings.runsRelayInProcess();
        this.inProcessRelayPort = settings.dataPath().relayPort();
        this.relaySecret = settings.dataPath().relaySecret().map(DataPathSettings.RelaySecret::value)
                .orElseGet(StunRelayEndpoints::randomSecret);
        this.tokens = RelayTokens.fromSharedSecret(relaySecret, clock);
        this.tokenLifetime = settings.relayTokenLifetime();
        this.clock = clock;
    }

    /** How long a handed-out relay token stays valid. */
    Duration tokenLifetime() {
        return tokenLifetime;
    }

    /** The STUN servers for a peer that reached us at {@code managementHost}; empty when there are none. */
    List<HostConfig> stuns(String managementHost) {
        if (!externalStuns.isEmpty()) {
            return externalStuns;
        }
        if (inProcessStunPort.isEmpty()) {
            return List.of();
        }
        return List.of(HostConfig.newBuilder()
                .setUri("stun:" + SignalEndpoint.hostPort(hostOrLocalhost(managementHost), inProcessStunPort()))
                .setProtocol(HostConfig.Protocol.UDP)
                .build());
    }

    /**
     * The relays for the peer with {@code peerKey} that reached us at {@code managementHost}, with a token freshly
     * issued for that peer only; empty when no relay is configured (an external signal node without
     * {@code TERN_RELAY_URLS}).
     */
    Optional<RelayConfig> relay(String managementHost, WireGuardKey peerKey) {
        List<String> urls;
        if (!externalRelays.isEmpty()) {
            urls = externalRelays;
        } else if (relayInProcess) {
            urls = List.of(relayScheme() + SignalEndpoint.hostPort(hostOrLocalhost(managementHost),
                    inProcessRelayPort()));
        } else {
            return Optional.empty();
        }
        PeerId peer = PeerId.ofPublicKey(peerKey.base64());
        RelayToken token = tokens.issue(lifetimeFor(peer), peer);
        return Optional.of(RelayConfig.newBuilder()
                .addAllUrls(urls)
                .setTokenPayload(token.payload())
                .setTokenSignature(token.signatureBase64())
                .build());
    }

    /**
     * The peer was deleted or its login expired at {@code at}: the in-process relay drops its session and refuses
     * every token issued to it up to then (they expire by {@code at} + the token lifetime). Nothing to do for external
     * relays, which only the token lifetime bounds; nor for a lapse older than the lifetime.
     */
    void revoke(WireGuardKey peerKey, Instant at) {
        RelayServer server = relay;
        // An event stamped ahead of our clock (skew) cannot have tokens of ours issued after now.
        Instant revokedAt = at.isAfter(clock.instant()) ? clock.instant() : at;
        // Tokens carry whole seconds: every token issued up to the revocation expires by the end of its second.
        Instant tokensExpiringBy = revokedAt.truncatedTo(ChronoUnit.SECONDS).plus(tokenLifetime);
        if (server != null && tokensExpiringBy.isAfter(clock.instant())) {
            PeerId peer = PeerId.ofPublicKey(peerKey.base64());
            Instant now = clock.instant();
            revokedUntil.values().removeIf(until -> until.isBefore(now));
            revokedUntil.merge(peer, tokensExpiringBy, (a, b) -> a.isAfter(b) ? a : b);
            server.revoke(peer, tokensExpiringBy);
            log.info("relay access of peer {} revoked: its session ends and its tokens expiring by {} are refused",
                    peerKey.base64(), tokensExpiringBy);
        }
    }

    /**
     * The lifetime of a token issued now: the configured one, or a second past the peer's revocation cutoff when it
     * would not reach beyond it (a peer that logs in again in the second it was revoked must get a usable token).
     */
    private Duration lifetimeFor(PeerId peer) {
        Instant cutoff = revokedUntil.get(peer);
        Instant now = clock.instant();
        if (cutoff == null || now.plus(tokenLifetime).getEpochSecond() > cutoff.getEpochSecond()) {
            return tokenLifetime;
        }
        return Duration.between(now, cutoff.plusSeconds(1));
    }

    /** Whether the in-process relay has an authenticated session for the peer (tests). */
    boolean relayHasSession(WireGuardKey peerKey) {
        RelayServer server = relay;
        return server != null && server.isConnected(PeerId.ofPublicKey(peerKey.base64()));
    }

    /** The bound UDP port of the in-process STUN service. */
    int inProcessStunPort() {
        StunServer server = stun;
        if (server == null) {
            throw new IllegalStateException("no in-process STUN service is running");
        }
        return server.port();
    }

    /** The bound port of the in-process relay. */
    int inProcessRelayPort() {
        RelayServer server = relay;
        if (server == null) {
            throw new IllegalStateException("no in-process relay is running");
        }
        return server.port();
    }

    /** The secret tokens are signed with (configured or generated), for tests that verify tokens independently. */
    String relaySecret() {
        return relaySecret;
    }

    @Override
    public synchronized void start() {
        try {
            if (inProcessStunPort.isPresent() && stun == null) {
                int port = inProcessStunPort.getAsInt();
                try {
                    stun = new StunServer(port).start();
                } catch (UncheckedIOException e) {
                    throw new StartupFailure("STUN cannot listen on udp port " + port + " (" + e.getCause().getMessage()
                            + "); set " + TernSettings.STUN_PORT + " to a free port or to off", e);
                }
                log.info("In-process STUN service on udp port {}", stun.port());
            }
            if (relayInProcess && relay == null) {
                // The relay tells authenticated peers this URL; they only compare it with the URL other peers
                // announce over signal, so it has to be the same for everyone, not reachable from everywhere.
                try {
                    RelayServer server = new RelayServer(new InetSocketAddress(inProcessRelayPort), tokens,
                            relayScheme() + SignalEndpoint.hostPort(localHostName(), inProcessRelayPort));
                    tls.serverTls().ifPresent(server::tls);
                    relay = server.start();
                } catch (UncheckedIOException e) {
                    throw new StartupFailure("relay cannot listen on port " + inProcessRelayPort + " ("
                            + e.getCause().getMessage() + "); set " + TernSettings.RELAY_PORT + " to a free port", e);
                }
                log.info("In-process relay on port {}", relay.port());
            }
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    @Override
    public synchronized void stop() {
        RelayServer relayServer = relay;
        relay = null;
        if (relayServer != null) {
            relayServer.close();
        }
        StunServer stunServer = stun;
        stun = null;
        if (stunServer != null) {
            stunServer.close();
        }
    }

    @Override
    public boolean isRunning() {
        return (inProcessStunPort.isEmpty() || stun != null) && (!relayInProcess || relay != null);
    }

    /** Before the management service starts (it hands out these addresses) and after it stops. */
    @Override
    public int getPhase() {
        return ManagementGrpcServer.PHASE - 1;
    }

    private String relayScheme() {
        return tls.enabled() ? "rels://" : "rel://";
    }

    private static String hostOrLocalhost(String host) {
        return host == null || host.isBlank() ? "localhost" : host;
    }

    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}

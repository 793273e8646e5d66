package dev.tern.agent.control;

import dev.tern.agent.common.TlsTrust;
import dev.tern.protocol.management.HostConfig;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** gRPC channels from the URLs users and the management server give us. */
public final class Channels {
    private Channels() {
    }

    /** Host, port and whether to use TLS. */
    public record Target(String host, int port, boolean tls) {
        @Override
        public String toString() {
            return (tls ? "https://" : "http://") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Parses a management URL: {@code http://host:port} (plaintext), {@code https://host[:port]} (TLS, port 443 by
     * default) or bare {@code host:port} (plaintext).
     */
    public static Target parseManagementUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("management URL is empty");
        }
        String text = url.strip();
        URI uri;
        try {
            uri = URI.create(text.contains("://") ? text : "http://" + text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("management URL is not a URL: " + text);
        }
        String scheme = uri.getScheme().toLowerCase();
        boolean tls;
        switch (scheme) {
            case "http", "grpc" -> tls = false;
            case "https", "grpcs" -> tls = true;
            default -> throw new IllegalArgumentException("management URL must start with http:// or https://, got "
                    + scheme + "://");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("management URL has no host: " + text);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        return new Target(host, port, tls);
    }

    /** The signal address from the map: {@code host:port}, TLS when the protocol says HTTPS. */
    public static Target signalTarget(HostConfig signal) {
        String uri = signal.getUri().strip();
        if (uri.contains("://")) {
            Target parsed = parseManagementUrl(uri);
            return new Target(parsed.host(), parsed.port(), parsed.tls() || signal.getProtocol() == HostConfig.Protocol.HTTPS);
        }
        Target parsed = parseManagementUrl("http://" + uri);
        return new Target(parsed.host(), parsed.port(), signal.getProtocol() == HostConfig.Protocol.HTTPS);
    }

    /** How long {@link #reconnectNow} gives one connection attempt (TCP and TLS handshake) to settle. */
    static final Duration RECONNECT_ATTEMPT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Called before each attempt of the agent's own reconnect loops. A channel whose connection failed waits out
     * gRPC's own backoff (1 s growing by 1.6 up to 2 minutes) and fails every call fast until then, so after an
     * outage of half a minute the agent came back 10-20 s after the server, after longer ones up to 2 minutes late,
     * whatever its own backoff said. This cuts the channel's wait short and lets the new attempt settle (ready, or
     * failed again) within {@code timeout}, so the call that follows sees its outcome. Not a ManagedChannel (tests'
     * wrappers), or already ready: nothing to do.
     */
    static void reconnectNow(Channel channel, Duration timeout) {
        if (!(channel instanceof ManagedChannel managed) || managed.isShutdown()) {
            return;
        }
        ConnectivityState state = managed.getState(true);
        if (state == ConnectivityState.READY) {
            return;
        }
        managed.resetConnectBackoff();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean attempted = state == ConnectivityState.CONNECTING || state == ConnectivityState.IDLE;
        try {
            while (true) {
                state = managed.getState(false);
                if (state == ConnectivityState.READY || state == ConnectivityState.SHUTDOWN
                        || (attempted && state == ConnectivityState.TRANSIENT_FAILURE)) {
                    return;
                }
                if (state == ConnectivityState.CONNECTING) {
                    attempted = true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                CountDownLatch changed = new CountDownLatch(1);
                managed.notifyWhenStateChanged(state, changed::countDown);
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static ManagedChannel open(Target target) {
        return open(target, TlsTrust.system());
    }

    /** A channel to {@code target}; a TLS target's certificate must be vouched for by {@code trust}. */
    public static ManagedChannel open(Target target, TlsTrust trust) {
        ChannelCredentials credentials = target.tls() ? trust.grpcCredentials() : InsecureChannelCredentials.create();
        return Grpc.newChannelBuilderForAddress(target.host(), target.port(), credentials)
                // Tern's servers permit pings every 5 s; this notices a vanished server within ~40 s.
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(10, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true)
                .build();
    }
}

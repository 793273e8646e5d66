package dev.tern.signal;

import io.grpc.netty.NettyServerBuilder;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The keepalive every device-facing gRPC server of Tern uses (management in tern-server, signal in the data-path
 * node): one definition, so a NetBird client sees the same rules on both and neither refuses its pings.
 */
public final class GrpcKeepalive {
    /** How often a server pings an idle connection, and how long it waits for the answer. */
    public static final Duration TIME = Duration.ofSeconds(30);
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The longest a vanished client's connection stays open (and, on signal, keeps its key registered). */
    public static final Duration DEAD_CONNECTION_DETECTION = TIME.plus(TIMEOUT);
    /** NetBird clients ping idle streams often; refusing their pings would make them reconnect in a loop. */
    static final Duration PERMITTED_CLIENT_PING_INTERVAL = Duration.ofSeconds(5);

    private GrpcKeepalive() {
    }

    /** Permits the clients' pings (with or without calls) and pings idle connections to notice vanished clients. */
    public static NettyServerBuilder apply(NettyServerBuilder builder) {
        return builder
                .permitKeepAliveTime(PERMITTED_CLIENT_PING_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveWithoutCalls(true)
                .keepAliveTime(TIME.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}

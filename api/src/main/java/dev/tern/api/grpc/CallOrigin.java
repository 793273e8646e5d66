package dev.tern.api.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Where a call came from and which host name the peer used to reach us, carried in the gRPC context for the
 * service methods: the remote IP becomes the peer's connection IP and the events' source address; the host
 * becomes the in-process signal node's address in the peer's config.
 */
final class CallOrigin implements ServerInterceptor {
    private static final Context.Key<String> REMOTE_IP = Context.key("tern-remote-ip");
    private static final Context.Key<String> AUTHORITY_HOST = Context.key("tern-authority-host");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        Context context = Context.current()
                .withValue(REMOTE_IP, remoteIp(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)))
                .withValue(AUTHORITY_HOST, hostOf(call.getAuthority()));
        return Contexts.interceptCall(context, call, headers, next);
    }

    /** The caller's IP address in the current call, or null when the transport does not tell. */
    static String remoteIp() {
        return REMOTE_IP.get();
    }

    /** The host part of the current call's authority, or null. */
    static String authorityHost() {
        return AUTHORITY_HOST.get();
    }

    static String remoteIp(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            return ip == null ? null : ip.getHostAddress();
        }
        return null;
    }

    /** "host:port", "[v6]:port" or "host" → host (IPv6 without brackets). */
    static String hostOf(String authority) {
        if (authority == null || authority.isBlank()) {
            return null;
        }
        String a = authority.trim();
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            return close > 1 ? a.substring(1, close) : null;
        }
        int colon = a.indexOf(':');
        if (colon >= 0 && a.indexOf(':', colon + 1) >= 0) {
            return a; // a bare IPv6 address
        }
        return colon < 0 ? a : a.substring(0, colon);
    }
}

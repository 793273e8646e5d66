package dev.tern.signal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import dev.tern.protocol.signal.SignalExchangeGrpc;

import java.net.SocketAddress;

/**
 * The header handshake NetBird's signal client performs on ConnectStream: it names itself in the request
 * header {@code x-wiretrustee-peer-id} and blocks until the response headers carry
 * {@code x-wiretrustee-peer-registered} (our agent does the same with {@code x-wg-pub-key}/{@code x-wg-registered};
 * both are understood and both registration headers are sent). grpc-java
 * sends response headers lazily with the first message, so this interceptor lets the service send them as soon
 * as the peer is registered, and swallows the later automatic send.
 *
 * <p>It also tells every call which connection it came on ({@link #CONNECTION}): the node trusts a connection, not
 * a claim, to speak for the key registered on it.
 */
final class RegistrationHeaders implements ServerInterceptor {
    static final Metadata.Key<String> PEER_KEY_HEADER =
            Metadata.Key.of("x-wg-pub-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REGISTERED_HEADER =
            Metadata.Key.of("x-wg-registered", Metadata.ASCII_STRING_MARSHALLER);
    /** The names NetBird's own client uses (shared/signal/proto/constants.go); the x-wg-* pair is our agent's. */
    static final Metadata.Key<String> NETBIRD_PEER_ID_HEADER =
            Metadata.Key.of("x-wiretrustee-peer-id", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> NETBIRD_REGISTERED_HEADER =
            Metadata.Key.of("x-wiretrustee-peer-registered", Metadata.ASCII_STRING_MARSHALLER);

    /** The key from the request header, or null when the client did not send one. */
    static final Context.Key<String> HEADER_PEER_KEY = Context.key("tern-signal-header-peer-key");
    /** Sends the registration header on the current ConnectStream call. */
    static final Context.Key<Runnable> SEND_REGISTERED = Context.key("tern-signal-send-registered");
    /** The remote address of the call's HTTP/2 connection: one TCP connection, one client. */
    static final Context.Key<SocketAddress> CONNECTION = Context.key("tern-signal-connection");
    /** Calls whose transport names no remote address (none in practice) share this one. */
    private static final SocketAddress UNKNOWN_CONNECTION = new SocketAddress() {
        @Override
        public String toString() {
            return "unknown";
        }
    };

    static SocketAddress connectionOf(ServerCall<?, ?> call) {
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        return remote == null ? UNKNOWN_CONNECTION : remote;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        Context withConnection = Context.current().withValue(CONNECTION, connectionOf(call));
        if (!SignalExchangeGrpc.getConnectStreamMethod().getFullMethodName()
                .equals(call.getMethodDescriptor().getFullMethodName())) {
            return Contexts.interceptCall(withConnection, call, headers, next);
        }
        HeadersOnceCall<ReqT, RespT> wrapped = new HeadersOnceCall<>(call);
        Context context = withConnection
                .withValue(HEADER_PEER_KEY, peerKey(headers))
                .withValue(SEND_REGISTERED, wrapped::sendRegistered);
        return Contexts.interceptCall(context, wrapped, headers, next);
    }

    /** The key a ConnectStream names itself with, under NetBird's header name or our agent's. */
    private static String peerKey(Metadata headers) {
        String netbird = headers.get(NETBIRD_PEER_ID_HEADER);
        return netbird != null ? netbird : headers.get(PEER_KEY_HEADER);
    }

    /** Both names: NetBird's client blocks until it sees its own, our agent until it sees x-wg-registered. */
    private static void markRegistered(Metadata headers) {
        headers.put(REGISTERED_HEADER, "1");
        headers.put(NETBIRD_REGISTERED_HEADER, "1");
    }

    private static final class HeadersOnceCall<ReqT, RespT>
            extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
        private boolean headersSent;

        HeadersOnceCall(ServerCall<ReqT, RespT> delegate) {
            super(delegate);
        }

        synchronized void sendRegistered() {
            if (!headersSent) {
                Metadata registered = new Metadata();
                markRegistered(registered);
                super.sendHeaders(registered);
                headersSent = true;
            }
        }

        /** Only reached from a message write, and only registered streams are written to. */
        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!headersSent) {
                markRegistered(headers);
                super.sendHeaders(headers);
                headersSent = true;
            }
        }
    }
}

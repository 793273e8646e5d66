package dev.tern.signal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import dev.tern.protocol.signal.SignalExchangeGrpc;

/**
 * The header handshake NetBird's signal client performs on ConnectStream: it names itself in the request
 * header {@code x-wg-pub-key} and blocks until the response headers carry {@code x-wg-registered}. grpc-java
 * sends response headers lazily with the first message, so this interceptor lets the service send them as soon
 * as the peer is registered, and swallows the later automatic send.
 */
final class RegistrationHeaders implements ServerInterceptor {
    static final Metadata.Key<String> PEER_KEY_HEADER =
            Metadata.Key.of("x-wg-pub-key", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> REGISTERED_HEADER =
            Metadata.Key.of("x-wg-registered", Metadata.ASCII_STRING_MARSHALLER);

    /** The key from the request header, or null when the client did not send one. */
    static final Context.Key<String> HEADER_PEER_KEY = Context.key("tern-signal-header-peer-key");
    /** Sends the registration header on the current ConnectStream call. */
    static final Context.Key<Runnable> SEND_REGISTERED = Context.key("tern-signal-send-registered");

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        if (!SignalExchangeGrpc.getConnectStreamMethod().getFullMethodName()
                .equals(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        HeadersOnceCall<ReqT, RespT> wrapped = new HeadersOnceCall<>(call);
        Context context = Context.current()
                .withValue(HEADER_PEER_KEY, headers.get(PEER_KEY_HEADER))
                .withValue(SEND_REGISTERED, wrapped::sendRegistered);
        return Contexts.interceptCall(context, wrapped, headers, next);
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
                registered.put(REGISTERED_HEADER, "1");
                super.sendHeaders(registered);
                headersSent = true;
            }
        }

        /** Only reached from a message write, and only registered streams are written to. */
        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!headersSent) {
                headers.put(REGISTERED_HEADER, "1");
                super.sendHeaders(headers);
                headersSent = true;
            }
        }
    }
}

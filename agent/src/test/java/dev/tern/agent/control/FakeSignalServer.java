package dev.tern.agent.control;

import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A routing-only signal node: streams are registered under the {@code x-wg-pub-key} header and messages go to
 * the stream of their remoteKey. Records what it routed so tests can check bodies stayed opaque.
 */
public final class FakeSignalServer extends SignalExchangeGrpc.SignalExchangeImplBase {
    private static final Context.Key<String> PEER = Context.key("peer");

    public final Map<String, StreamObserver<EncryptedMessage>> streams = new ConcurrentHashMap<>();
    public final List<EncryptedMessage> seen = new CopyOnWriteArrayList<>();

    public ServerServiceDefinition withHeaderRegistration() {
        return withHeaderRegistration(false);
    }

    /**
     * @param confirm answer with the {@code x-wg-registered} response header right away, as Tern's signal node
     *                does; otherwise the client has to fall back to its grace period
     */
    public ServerServiceDefinition withHeaderRegistration(boolean confirm) {
        ServerInterceptor peerHeader = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                ServerCall<Q, R> wrapped = call;
                if (confirm) {
                    Metadata registered = new Metadata();
                    registered.put(SignalClient.REGISTERED_HEADER, "1");
                    call.sendHeaders(registered);
                    wrapped = new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                        @Override
                        public void sendHeaders(Metadata ignored) {
                            // already sent
                        }
                    };
                }
                return Contexts.interceptCall(Context.current().withValue(PEER, headers.get(SignalClient.PEER_KEY_HEADER)),
                        wrapped, headers, next);
            }
        };
        return ServerInterceptors.intercept(this, peerHeader);
    }

    @Override
    public StreamObserver<EncryptedMessage> connectStream(StreamObserver<EncryptedMessage> out) {
        String peer = PEER.get();
        streams.put(peer, out);
        return new StreamObserver<>() {
            @Override
            public void onNext(EncryptedMessage message) {
                seen.add(message);
                StreamObserver<EncryptedMessage> target = streams.get(message.getRemoteKey());
                if (target != null) {
                    synchronized (target) {
                        target.onNext(message);
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                streams.remove(peer, out);
            }

            @Override
            public void onCompleted() {
                streams.remove(peer, out);
                out.onCompleted();
            }
        };
    }
}

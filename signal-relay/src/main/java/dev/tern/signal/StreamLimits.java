package dev.tern.signal;

import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open ConnectStream calls, on the node and per connection, and refuses those beyond the limits with
 * RESOURCE_EXHAUSTED before the service sees them. A call is counted from its start until gRPC reports it over
 * (completed or cancelled: exactly one of the two happens for every call), so no path can leak a slot.
 */
final class StreamLimits implements ServerInterceptor {
    private final int maxStreams;
    private final int maxPerConnection;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<SocketAddress, AtomicInteger> perConnection = new ConcurrentHashMap<>();

    StreamLimits(SignalLimits limits) {
        this.maxStreams = limits.maxStreams();
        this.maxPerConnection = limits.maxStreamsPerConnection();
    }

    int openStreams() {
        return open.get();
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                 ServerCallHandler<ReqT, RespT> next) {
        if (!SignalExchangeGrpc.getConnectStreamMethod().getFullMethodName()
                .equals(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        SocketAddress connection = RegistrationHeaders.connectionOf(call);
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            return refuse(call, "the signal node holds its maximum of " + maxStreams + " streams; retry later");
        }
        AtomicInteger onConnection = perConnection.compute(connection, (k, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            c.incrementAndGet();
            return c;
        });
        if (onConnection.get() > maxPerConnection) {
            release(connection);
            return refuse(call, "at most " + maxPerConnection + " signal streams per connection");
        }
        ServerCall.Listener<ReqT> delegate;
        try {
            delegate = next.startCall(call, headers);
        } catch (RuntimeException e) {
            release(connection);
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean released;

            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    releaseOnce();
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    releaseOnce();
                }
            }

            private synchronized void releaseOnce() {
                if (!released) {
                    released = true;
                    release(connection);
                }
            }
        };
    }

    private void release(SocketAddress connection) {
        open.decrementAndGet();
        perConnection.computeIfPresent(connection, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    private static <ReqT, RespT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, RespT> call, String reason) {
        call.close(Status.RESOURCE_EXHAUSTED.withDescription(reason), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }
}

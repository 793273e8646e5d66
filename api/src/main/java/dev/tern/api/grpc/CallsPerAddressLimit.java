package dev.tern.api.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the calls open at once from one remote IP address (Sync streams last as long as the device is online, so
 * they count for as long). A call over the limit is refused at once with RESOURCE_EXHAUSTED before any service code
 * runs; a call's slot is given back when it ends, however it ends (gRPC calls exactly one of onComplete and onCancel
 * on every call's listener).
 */
final class CallsPerAddressLimit implements ServerInterceptor {
    private static final Logger log = LoggerFactory.getLogger(CallsPerAddressLimit.class);

    private final int maxCalls;
    private final ConcurrentHashMap<String, Integer> openCalls = new ConcurrentHashMap<>();

    CallsPerAddressLimit(int maxCalls) {
        this.maxCalls = maxCalls;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        String address = CallOrigin.remoteIp(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
        if (address == null) {
            return next.startCall(call, headers); // not a network transport (in-process)
        }
        if (!acquire(address)) {
            log.warn("refused a {} call from {}: {} calls from that address are open already",
                    call.getMethodDescriptor().getBareMethodName(), address, maxCalls);
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("too many open calls from " + address
                    + " (at most " + maxCalls + "); close some or retry later"), new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                release(address);
            }
        };
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    release.run();
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    release.run();
                }
            }
        };
    }

    private boolean acquire(String address) {
        int[] now = new int[1];
        openCalls.compute(address, (a, open) -> now[0] = open == null ? 1 : open + 1);
        if (now[0] > maxCalls) {
            release(address);
            return false;
        }
        return true;
    }

    private void release(String address) {
        openCalls.computeIfPresent(address, (a, open) -> open <= 1 ? null : open - 1);
    }

    /** Open calls from the address (tests). */
    int openCalls(String address) {
        return openCalls.getOrDefault(address, 0);
    }
}

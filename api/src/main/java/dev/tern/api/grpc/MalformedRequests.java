package dev.tern.api.grpc;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;

/**
 * Refuses a request body that is no protobuf message of the method's type with INVALID_ARGUMENT, before the
 * service sees it. grpc-java's own handling of a failed parse answered UNKNOWN ("Application error processing
 * RPC", a server fault to a client) and logged a stack trace at ERROR for every such call, so any client could
 * fill the log. Found by the bad-input sweep (MalformedGrpcSweepTest).
 */
final class MalformedRequests {
    private MalformedRequests() {
    }

    static ServerServiceDefinition refused(ServerServiceDefinition service) {
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(
                service.getServiceDescriptor().getName());
        service.getMethods().forEach(method -> builder.addMethod(refused(method)));
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> refused(ServerMethodDefinition<Q, R> method) {
        MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
        MethodDescriptor<Q, R> lenient = descriptor.toBuilder(new NullWhenMalformed<>(
                descriptor.getRequestMarshaller()), descriptor.getResponseMarshaller()).build();
        ServerCallHandler<Q, R> handler = method.getServerCallHandler();
        return ServerMethodDefinition.create(lenient, new ServerCallHandler<Q, R>() {
            @Override
            public ServerCall.Listener<Q> startCall(ServerCall<Q, R> call, Metadata headers) {
                return new RefusingListener<>(handler.startCall(call, headers), call);
            }
        });
    }

    /** Closes the call with INVALID_ARGUMENT at an unparsable (null) message and passes nothing on after. */
    private static final class RefusingListener<Q>
            extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
        private final ServerCall<Q, ?> call;
        private boolean refused;

        RefusingListener(ServerCall.Listener<Q> delegate, ServerCall<Q, ?> call) {
            super(delegate);
            this.call = call;
        }

        @Override
        public void onMessage(Q message) {
            if (message == null) {
                refused = true;
                call.close(Status.INVALID_ARGUMENT.withDescription("malformed request message"), new Metadata());
            } else if (!refused) {
                super.onMessage(message);
            }
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                super.onHalfClose();
            }
        }

        @Override
        public void onReady() {
            if (!refused) {
                super.onReady();
            }
        }
    }

    /** The method's own marshaller, answering null instead of throwing for bytes it cannot parse. */
    private record NullWhenMalformed<T>(MethodDescriptor.Marshaller<T> delegate)
            implements MethodDescriptor.Marshaller<T> {
        @Override
        public InputStream stream(T value) {
            return delegate.stream(value);
        }

        @Override
        public T parse(InputStream stream) {
            try {
                return delegate.parse(stream);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}

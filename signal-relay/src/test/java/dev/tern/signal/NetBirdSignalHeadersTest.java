package dev.tern.signal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.SignalMessages;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.signal.Body;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Metadata;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * NetBird's signal client (shared/signal/client/grpc.go): ConnectStream with its key in {@code x-wiretrustee-peer-id},
 * then it blocks on the response headers, sending nothing, until {@code x-wiretrustee-peer-registered} arrives.
 */
class NetBirdSignalHeadersTest {
    private static final Metadata.Key<String> PEER_ID =
            Metadata.Key.of("x-wiretrustee-peer-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REGISTERED =
            Metadata.Key.of("x-wiretrustee-peer-registered", Metadata.ASCII_STRING_MARSHALLER);

    @Test
    void aStreamNamedByNetBirdsHeaderIsRegisteredAtOnceAndReceivesMessages() throws Exception {
        SignalServer server = new SignalServer(0).start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            X25519KeyPair bobKeys = NaclBox.generateKeyPair();
            Metadata request = new Metadata();
            request.put(PEER_ID, bobKeys.publicKeyBase64());
            CompletableFuture<Metadata> headersArrived = new CompletableFuture<>();
            BlockingQueue<EncryptedMessage> received = new LinkedBlockingQueue<>();
            SignalExchangeGrpc.newStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(request),
                            captureHeaders(headersArrived))
                    .connectStream(new StreamObserver<>() {
                        @Override
                        public void onNext(EncryptedMessage value) {
                            received.add(value);
                        }

                        @Override
                        public void onError(Throwable t) {
                            headersArrived.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });

            // Nothing sent on the stream: the headers alone must arrive, or NetBird's client waits forever.
            Metadata headers = headersArrived.get(10, TimeUnit.SECONDS);
            assertThat(headers.get(REGISTERED)).isEqualTo("1");

            TestPeer alice = new TestPeer().connect(channel);
            Body offer = Body.newBuilder().setType(Body.Type.OFFER).setPayload("ufrag:pwd").build();
            SignalExchangeGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .send(SignalMessages.seal(offer, alice.keys, bobKeys.publicKeyBase64()));
            EncryptedMessage delivered = received.poll(5, TimeUnit.SECONDS);
            assertThat(delivered).as("message delivered to the stream named by x-wiretrustee-peer-id").isNotNull();
            assertThat(SignalMessages.open(delivered, bobKeys)).isEqualTo(offer);
        } finally {
            server.close();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Completes with the response headers as soon as they arrive, before any message. */
    private static ClientInterceptor captureHeaders(CompletableFuture<Metadata> arrived) {
        return new ClientInterceptor() {
            @Override
            public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
                                                                       CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<RespT> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata received) {
                                arrived.complete(received);
                                super.onHeaders(received);
                            }
                        }, headers);
                    }
                };
            }
        };
    }
}

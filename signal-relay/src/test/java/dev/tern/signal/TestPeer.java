package dev.tern.signal;

import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A peer with a real key pair and one ConnectStream, collecting what the node delivers to it. */
final class TestPeer {
    final X25519KeyPair keys;
    final BlockingQueue<EncryptedMessage> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    final AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
    private StreamObserver<EncryptedMessage> requests;
    private boolean reads = true;
    private ClientCallStreamObserver<EncryptedMessage> call;

    TestPeer() {
        this(NaclBox.generateKeyPair());
    }

    /** A second device, or a restarted client, using the same WireGuard key. */
    TestPeer(X25519KeyPair keys) {
        this.keys = keys;
    }

    String key() {
        return keys.publicKeyBase64();
    }

    /** Connects the way NetBird does: key in the x-wg-pub-key header. */
    TestPeer connect(Channel channel) {
        Metadata headers = new Metadata();
        headers.put(RegistrationHeaders.PEER_KEY_HEADER, key());
        return open(SignalExchangeGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers),
                        MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, new AtomicReference<>())));
    }

    /** Connects without the header; the first stream message has to name the peer. */
    TestPeer connectWithoutHeader(Channel channel) {
        return open(SignalExchangeGrpc.newStub(channel)
                .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, new AtomicReference<>())));
    }

    /** Like {@link #connect} but never asks for a message: a stalled client. */
    TestPeer connectWithoutReading(Channel channel) {
        reads = false;
        return connect(channel);
    }

    private TestPeer open(SignalExchangeGrpc.SignalExchangeStub stub) {
        requests = stub.connectStream(new ClientResponseObserver<EncryptedMessage, EncryptedMessage>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<EncryptedMessage> requestStream) {
                call = requestStream;
                if (!reads) {
                    requestStream.disableAutoRequestWithInitial(0);
                }
            }

            @Override
            public void onNext(EncryptedMessage value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                closed.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                closed.complete(Status.OK);
            }
        });
        return this;
    }

    void sendOnStream(EncryptedMessage message) {
        requests.onNext(message);
    }

    /** A stalled client that starts reading again. */
    void startReading() {
        call.request(Integer.MAX_VALUE);
    }

    void hangUp() {
        call.cancel("peer went away", null);
    }

    EncryptedMessage next() throws InterruptedException {
        EncryptedMessage message = received.poll(5, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("no message delivered to " + key() + " within 5 s");
        }
        return message;
    }
}

package dev.tern.signal;

import dev.tern.protocol.crypto.Keys;
import dev.tern.protocol.crypto.NaclBoxException;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signal exchange: every peer keeps one ConnectStream open, registered under its WireGuard public key;
 * messages sent with {@code Send} or on a stream are delivered to the stream registered under their
 * {@code remoteKey}, byte for byte. The node never opens bodies (they are sealed between the two peers).
 *
 * <p>A peer names itself in the {@code x-wg-pub-key} request header (what NetBird clients do) or, failing
 * that, in the {@code key} of its first stream message. A second stream under the same key replaces the first,
 * which is ended with ABORTED. {@code Send} to a peer that is not connected answers NOT_FOUND, except for
 * NetBird's health-check recipient {@code "dummy"}, which is acknowledged.
 *
 * <p>{@link #bindService()} installs the header interceptor, so {@code serverBuilder.addService(service)}
 * is all an embedding server needs.
 */
public final class SignalExchangeService implements SignalExchangeGrpc.AsyncService, BindableService {
    /** NetBird clients probe signal health by sending to this recipient and expect success. */
    static final String HEALTH_CHECK_RECIPIENT = "dummy";
    private static final Logger log = LoggerFactory.getLogger(SignalExchangeService.class);

    private final Map<String, PeerStream> streams = new ConcurrentHashMap<>();

    @Override
    public ServerServiceDefinition bindService() {
        return ServerInterceptors.intercept(SignalExchangeGrpc.bindService(this), new RegistrationHeaders());
    }

    /** Whether a stream is currently registered under this key. */
    public boolean isConnected(String peerKey) {
        return streams.containsKey(peerKey);
    }

    public int connectedPeers() {
        return streams.size();
    }

    /**
     * Ends every open stream with UNAVAILABLE, which NetBird clients treat as "reconnect with backoff".
     * Used on shutdown: without it the long-lived streams would hold the server open until forced.
     */
    void closeAllStreams(String reason) {
        for (PeerStream stream : streams.values()) {
            deregister(stream);
            stream.fail(Status.UNAVAILABLE.withDescription(reason));
        }
    }

    @Override
    public void send(EncryptedMessage message, StreamObserver<EncryptedMessage> response) {
        String recipient = message.getRemoteKey();
        if (recipient.isEmpty()) {
            response.onError(Status.INVALID_ARGUMENT.withDescription("remoteKey is required").asRuntimeException());
            return;
        }
        if (HEALTH_CHECK_RECIPIENT.equals(recipient)) {
            reply(response);
            return;
        }
        PeerStream target = streams.get(recipient);
        if (target == null || !deliver(target, message)) {
            response.onError(Status.NOT_FOUND
                    .withDescription("remote peer " + recipient + " is not connected to this signal node")
                    .asRuntimeException());
            return;
        }
        reply(response);
    }

    @Override
    public StreamObserver<EncryptedMessage> connectStream(StreamObserver<EncryptedMessage> responseObserver) {
        ServerCallStreamObserver<EncryptedMessage> out = (ServerCallStreamObserver<EncryptedMessage>) responseObserver;
        Runnable sendRegistered = RegistrationHeaders.SEND_REGISTERED.get();
        PeerStream stream = new PeerStream(out, sendRegistered == null ? () -> { } : sendRegistered);
        out.setOnCancelHandler(() -> deregister(stream));
        String headerKey = RegistrationHeaders.HEADER_PEER_KEY.get();
        if (headerKey != null && !register(headerKey, stream)) {
            return new DiscardingObserver();
        }
        return new StreamObserver<>() {
            @Override
            public void onNext(EncryptedMessage message) {
                if (stream.key() == null && !register(message.getKey(), stream)) {
                    return;
                }
                if (!message.getKey().isEmpty() && !message.getKey().equals(stream.key())) {
                    // The sender field must be the stream's own key; anything else is an attempt to speak for
                    // another peer, and is dropped rather than forwarded.
                    log.debug("dropping stream message whose key differs from the stream's registered key");
                    return;
                }
                if (message.getRemoteKey().isEmpty()) {
                    return; // a registration-only first message
                }
                PeerStream target = streams.get(message.getRemoteKey());
                EncryptedMessage outgoing = message.getKey().isEmpty()
                        ? message.toBuilder().setKey(stream.key()).build()
                        : message;
                if (target == null || !deliver(target, outgoing)) {
                    log.debug("recipient of a stream message is not connected; dropped");
                }
            }

            @Override
            public void onError(Throwable t) {
                deregister(stream);
            }

            @Override
            public void onCompleted() {
                deregister(stream);
                stream.complete();
            }
        };
    }

    private boolean deliver(PeerStream target, EncryptedMessage message) {
        if (target.deliver(message)) {
            return true;
        }
        deregister(target);
        return false;
    }

    private boolean register(String key, PeerStream stream) {
        try {
            Keys.decode(key, "peer key");
        } catch (NaclBoxException e) {
            stream.fail(Status.INVALID_ARGUMENT.withDescription(
                    "a signal stream must name its WireGuard public key (x-wg-pub-key header or first message key): "
                            + e.getMessage()));
            return false;
        }
        stream.registeredAs(key);
        // Confirm before publishing: once in the map, other threads may write to the stream, and the
        // confirmation has to be the first thing the client sees.
        stream.sendRegisteredHeader();
        PeerStream previous = streams.put(key, stream);
        if (previous != null && previous != stream) {
            previous.fail(Status.ABORTED.withDescription("peer registered again from another stream"));
        }
        log.debug("peer connected to signal: {}", key);
        return true;
    }

    private void deregister(PeerStream stream) {
        String key = stream.key();
        if (key != null && streams.remove(key, stream)) {
            log.debug("peer disconnected from signal: {}", key);
        }
    }

    private static void reply(StreamObserver<EncryptedMessage> response) {
        response.onNext(EncryptedMessage.getDefaultInstance());
        response.onCompleted();
    }

    /** Inbound side of a stream that was refused: ignore whatever else the client sends. */
    private static final class DiscardingObserver implements StreamObserver<EncryptedMessage> {
        @Override
        public void onNext(EncryptedMessage value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }
}

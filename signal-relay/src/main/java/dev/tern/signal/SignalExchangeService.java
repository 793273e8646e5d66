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

import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The signal exchange: every peer keeps one ConnectStream open, registered under its WireGuard public key;
 * messages sent with {@code Send} or on a stream are delivered to the stream registered under their
 * {@code remoteKey}, byte for byte. The node never opens bodies (they are sealed between the two peers).
 *
 * <p>A peer names itself in the {@code x-wg-pub-key} request header (what NetBird clients do) or, failing
 * that, in the {@code key} of its first stream message. NetBird's protocol has no way to prove the key (the
 * header is a plain claim and the bodies are sealed for the peers, not for us), so the node trusts connections:
 * <ul>
 *   <li>A second stream under a key whose stream is alive on <em>another</em> connection is refused with
 *   ALREADY_EXISTS; the live stream keeps its messages. A client whose old connection died half-open gets back in
 *   once keepalive has proven that connection dead (at most keepalive time + timeout, 40 s), retrying with its
 *   usual backoff meanwhile.</li>
 *   <li>A second stream on the <em>same</em> connection replaces the first (ended with ABORTED): only the client
 *   that owns that connection can open streams on it, e.g. after it gave up on its old stream.</li>
 *   <li>{@code Send} and stream messages may not claim a sender key that is registered from another connection
 *   (PERMISSION_DENIED, or dropped on a stream).</li>
 * </ul>
 * {@code Send} to a peer that is not connected answers NOT_FOUND, except for NetBird's health-check recipient
 * {@code "dummy"}, which is acknowledged. Stream counts, message size and queues are bounded by
 * {@link SignalLimits}.
 *
 * <p>{@link #bindService()} installs the header interceptor, so {@code serverBuilder.addService(service)}
 * is all an embedding server needs.
 */
public final class SignalExchangeService implements SignalExchangeGrpc.AsyncService, BindableService {
    /** NetBird clients probe signal health by sending to this recipient and expect success. */
    static final String HEALTH_CHECK_RECIPIENT = "dummy";
    private static final Logger log = LoggerFactory.getLogger(SignalExchangeService.class);

    private final Map<String, PeerStream> streams = new ConcurrentHashMap<>();
    private final SignalLimits limits;
    private final StreamLimits streamLimits;
    private final AtomicLong queuedBytes = new AtomicLong();

    public SignalExchangeService() {
        this(SignalLimits.defaults());
    }

    public SignalExchangeService(SignalLimits limits) {
        this.limits = limits;
        this.streamLimits = new StreamLimits(limits);
    }

    @Override
    public ServerServiceDefinition bindService() {
        // The last interceptor runs first: limits are checked before anything is registered.
        return ServerInterceptors.intercept(SignalExchangeGrpc.bindService(this), new RegistrationHeaders(),
                streamLimits);
    }

    SignalLimits limits() {
        return limits;
    }

    /** Bytes queued for peers that are not reading, on the whole node. */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Open ConnectStream calls, registered or not. */
    int openStreams() {
        return streamLimits.openStreams();
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
        String sender = message.getKey();
        if (!sender.isEmpty() && !speaksFor(sender, RegistrationHeaders.CONNECTION.get())) {
            response.onError(Status.PERMISSION_DENIED
                    .withDescription("key " + sender + " is registered on another connection; send as yourself")
                    .asRuntimeException());
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
        SocketAddress connection = RegistrationHeaders.CONNECTION.get();
        PeerStream stream = new PeerStream(out, sendRegistered == null ? () -> { } : sendRegistered,
                connection, limits.maxQueuedMessagesPerStream(), queuedBytes, limits.maxQueuedBytes());
        out.setOnCancelHandler(() -> {
            deregister(stream);
            stream.cancelled();
        });
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
        PeerStream previous;
        // Registrations are rare (one per client connect); one lock keeps the decide-then-publish step atomic.
        synchronized (this) {
            if (stream.isGone()) {
                return false; // refused or cancelled already
            }
            previous = streams.get(key);
            if (previous != null && previous != stream && !previous.isGone()
                    && !Objects.equals(previous.connection(), stream.connection())) {
                stream.fail(Status.ALREADY_EXISTS.withDescription("a live signal stream is registered for this key "
                        + "from another connection; retry once it has ended (dead connections are detected by "
                        + "keepalive within " + SignalServer.DEAD_CONNECTION_DETECTION.toSeconds() + " s)"));
                log.debug("refused a second signal stream for a key that is live on another connection: {}", key);
                return false;
            }
            stream.registeredAs(key);
            // Confirm before publishing: once in the map, other threads may write to the stream, and the
            // confirmation has to be the first thing the client sees.
            stream.sendRegisteredHeader();
            streams.put(key, stream);
        }
        if (previous != null && previous != stream) {
            previous.fail(Status.ABORTED.withDescription("peer registered again from another stream"));
        }
        log.debug("peer connected to signal: {}", key);
        return true;
    }

    /** Whether a message naming {@code sender} may come from this connection: not if the key lives elsewhere. */
    private boolean speaksFor(String sender, SocketAddress connection) {
        PeerStream owner = streams.get(sender);
        return owner == null || owner.isGone() || Objects.equals(owner.connection(), connection);
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

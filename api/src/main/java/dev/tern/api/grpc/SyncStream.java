package dev.tern.api.grpc;

import dev.tern.projector.NetworkMapHub;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.NetbirdConfig;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.SyncResponse;
import io.grpc.Status;
import io.micrometer.core.instrument.Metrics;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer's Sync stream: sends the current map first, then every newer map the hub publishes for the peer, until a
 * map says the peer's login expired: then the stream ends with PERMISSION_DENIED (and the peer is disconnected).
 * <p>
 * Backpressure: a map is taken from the hub's single slot only when the transport is ready to send; while it is
 * not, newer maps simply replace the untaken one in the slot. So a stalled client costs at most one map here plus
 * what the transport already buffered, however many changes pass. All writes to the observer happen under this
 * object's lock, because gRPC observers are not thread-safe and maps arrive on the projector's thread.
 * <p>
 * A map whose sealed message is larger than the client can receive ({@code maxMessageBytes}) is not sent: the
 * client would fail on it and go on with its old map, deaf to every later change (a revocation included). The
 * stream ends with RESOURCE_EXHAUSTED instead, so the peer shows disconnected and the client reconnects; the event
 * is logged and counted ({@value #TOO_LARGE_METRIC}).
 */
final class SyncStream implements SyncSessions.Session {
    private static final Logger log = LoggerFactory.getLogger(SyncStream.class);
    static final String TOO_LARGE_METRIC = "tern.grpc.answers.too.large";

    private final PeerRef peer;
    private final String remoteIp;
    private final ServerCallStreamObserver<EncryptedMessage> observer;
    private final NetworkMapHub.Subscription subscription;
    private final NaclBox.SharedKey sealKey;
    private final String serverPublicKeyBase64;
    /** Called for every response: each one carries a freshly issued relay token. */
    private final Supplier<NetbirdConfig> netbirdConfig;
    private final SyncSessions sessions;
    private final Executor executor;
    private final int maxMessageBytes;

    private long lastSentSerial = Long.MIN_VALUE; // guarded by this
    private boolean finished;                      // guarded by this

    SyncStream(PeerRef peer, String remoteIp, ServerCallStreamObserver<EncryptedMessage> observer,
               NetworkMapHub.Subscription subscription, NaclBox.SharedKey sealKey, String serverPublicKeyBase64,
               Supplier<NetbirdConfig> netbirdConfig, SyncSessions sessions, Executor executor,
               int maxMessageBytes) {
        this.peer = peer;
        this.remoteIp = remoteIp;
        this.observer = observer;
        this.subscription = subscription;
        this.sealKey = sealKey;
        this.serverPublicKeyBase64 = serverPublicKeyBase64;
        this.netbirdConfig = netbirdConfig;
        this.sessions = sessions;
        this.executor = executor;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Must run inside the service method: gRPC accepts the handlers only before it returns. */
    void start() {
        observer.setOnCancelHandler(this::cancelled);
        observer.setOnReadyHandler(this::drain);
        sessions.opened(this);
        // The hub signals on the projector's thread, which must never block or wait on a client: hand off.
        subscription.onAvailable(this::scheduleDrain);
        drain();
    }

    @Override
    public PeerRef peer() {
        return peer;
    }

    @Override
    public String remoteIp() {
        return remoteIp;
    }

    private void scheduleDrain() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // shutting down: the stream is about to be terminated anyway
        }
    }

    /** Sends what the slot holds while the transport is ready; ends the stream when the subscription ended. */
    void drain() {
        synchronized (this) {
            if (finished) {
                return;
            }
            if (subscription.isClosed()) {
                terminate(subscription.isPeerRemoved()
                        ? Status.PERMISSION_DENIED.withDescription("peer has been deleted")
                        : Status.UNAVAILABLE.withDescription("network maps are being rebuilt, sync again"));
                return;
            }
            try {
                while (observer.isReady()) {
                    Optional<PeerNetworkMap> next = subscription.poll();
                    if (next.isEmpty()) {
                        return;
                    }
                    PeerNetworkMap map = next.get();
                    if (map.serial() <= lastSentSerial) {
                        continue; // clients ignore older maps; never send one
                    }
                    if (map.loginExpired()) {
                        // as NetBird's server does: the client must log in again before it syncs
                        terminate(ManagementService.LOGIN_EXPIRED);
                        return;
                    }
                    EncryptedMessage sealed = EncryptedMessages.seal(syncResponse(map), serverPublicKeyBase64, sealKey);
                    int size = sealed.getSerializedSize();
                    if (size > maxMessageBytes) {
                        log.warn("network map {} of peer {} is {} bytes, over the {} bytes a client can receive: "
                                + "ending its Sync stream", map.serial(), peer.peerId(), size, maxMessageBytes);
                        tooLarge("sync");
                        terminate(Status.RESOURCE_EXHAUSTED.withDescription("network map too large: " + size
                                + " bytes, clients receive at most " + maxMessageBytes
                                + "; the peer gets no map until policies give it a smaller one"));
                        return;
                    }
                    observer.onNext(sealed);
                    lastSentSerial = map.serial();
                }
            } catch (RuntimeException e) {
                log.warn("sync stream of peer {} failed: {}", peer.peerId(), e.toString());
                terminate(Status.INTERNAL.withDescription("could not send the network map"));
            }
        }
    }

    /**
     * A config-only response, as NetBird's server sends to refresh relay tokens; clients apply its NetbirdConfig
     * and, finding no network map, keep theirs. Skipped while the client is not reading: the next map it takes
     * carries a fresh config anyway.
     */
    @Override
    public void resendConfig() {
        synchronized (this) {
            if (finished || lastSentSerial == Long.MIN_VALUE || !observer.isReady()) {
                return; // before the first map a config-only response would reach a client with nothing to update
            }
            try {
                SyncResponse configOnly = SyncResponse.newBuilder().setNetbirdConfig(netbirdConfig.get()).build();
                observer.onNext(EncryptedMessages.seal(configOnly, serverPublicKeyBase64, sealKey));
            } catch (RuntimeException e) {
                log.warn("sync stream of peer {} failed: {}", peer.peerId(), e.toString());
                terminate(Status.INTERNAL.withDescription("could not send the config"));
            }
        }
    }

    /** Counts an answer that was not sent for its size, in the registry Spring Boot also exports. */
    static void tooLarge(String method) {
        Metrics.counter(TOO_LARGE_METRIC, "method", method).increment();
    }

    SyncResponse syncResponse(PeerNetworkMap map) {
        NetworkMap networkMap = NetworkMapMessages.networkMap(map);
        // NetBird fills the legacy top-level copies too; older clients read only those.
        return SyncResponse.newBuilder()
                .setNetbirdConfig(netbirdConfig.get())
                .setPeerConfig(networkMap.getPeerConfig())
                .addAllRemotePeers(networkMap.getRemotePeersList())
                .setRemotePeersIsEmpty(networkMap.getRemotePeersIsEmpty())
                .setNetworkMap(networkMap)
                .build();
    }

    @Override
    public void terminate(Status status) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            release();
            try {
                if (status.isOk()) {
                    observer.onCompleted();
                } else {
                    observer.onError(status.asRuntimeException());
                }
            } catch (RuntimeException e) {
                // the call is already closed (e.g. cancelled at the same moment); nothing left to tell the client
            }
        }
    }

    private void cancelled() {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            release();
        }
    }

    private void release() {
        subscription.close();
        sessions.closed(this);
    }

    synchronized long lastSentSerial() {
        return lastSentSerial;
    }
}

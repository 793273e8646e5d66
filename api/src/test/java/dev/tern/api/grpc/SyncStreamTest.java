package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.events.values.MeshIp;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapHub;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import dev.tern.projector.PeerConfig;
import dev.tern.projector.PeerNetworkMap;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.HostConfig;
import dev.tern.protocol.management.NetbirdConfig;
import dev.tern.protocol.management.RelayConfig;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.query.peers.PeerStatusStore;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The Sync stream's backpressure and ending, against a hand-driven gRPC observer and a real hub. */
class SyncStreamTest {
    private static final String ACCOUNT = "acc-1";
    private static final String PEER = "peer-1";

    private final X25519KeyPair server = NaclBox.generateKeyPair();
    private final X25519KeyPair peer = NaclBox.generateKeyPair();
    private final NetworkMapHub hub = new NetworkMapHub();
    private final RecordingStatusStore status = new RecordingStatusStore();
    private final SyncSessions sessions = new SyncSessions(status, Clock.systemUTC());
    private final FakeObserver observer = new FakeObserver();
    private final AtomicInteger configsMade = new AtomicInteger();

    private SyncStream openStream(NetworkMapHub.Subscription subscription) {
        SyncStream stream = new SyncStream(new PeerRef(ACCOUNT, PEER), "192.0.2.7", observer, subscription,
                NaclBox.precompute(peer.publicKey(), server.privateKey()), server.publicKeyBase64(),
                () -> NetbirdConfig.newBuilder().setSignal(HostConfig.newBuilder().setUri("signal:10000"))
                        .setRelay(RelayConfig.newBuilder().addUrls("rel://relay:33080")
                                .setTokenPayload("token-" + configsMade.incrementAndGet()))
                        .build(),
                sessions, Runnable::run, GrpcLimits.CLIENT_RECEIVE_LIMIT);
        stream.start();
        return stream;
    }

    @Test
    void aStalledClientHoldsOnlyTheNewestMapAndGetsItWhenReady() {
        observer.ready = false;
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, PEER);
        openStream(subscription);

        for (long serial = 1; serial <= 50; serial++) {
            hub.publish(map(serial));
        }
        assertThat(observer.sent).isEmpty();
        assertThat(subscription.supersededCount()).isEqualTo(49);

        observer.becomeReady();
        assertThat(observer.sent).hasSize(1);
        assertThat(open(observer.sent.get(0)).getNetworkMap().getSerial()).isEqualTo(50);

        hub.publish(map(51));
        assertThat(observer.sent).hasSize(2);
        SyncResponse latest = open(observer.sent.get(1));
        assertThat(latest.getNetworkMap().getSerial()).isEqualTo(51);
        assertThat(latest.getNetbirdConfig().getSignal().getUri()).isEqualTo("signal:10000");
        // The config is made per response, so each one carries the relay token issued for it, not the stream's first.
        assertThat(open(observer.sent.get(0)).getNetbirdConfig().getRelay().getTokenPayload()).isEqualTo("token-1");
        assertThat(latest.getNetbirdConfig().getRelay().getTokenPayload()).isEqualTo("token-2");
        assertThat(observer.sent.get(1).getWgPubKey()).isEqualTo(server.publicKeyBase64());
    }

    @Test
    void aMapNeverGoesOutTwiceOrOutOfOrder() {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, PEER);
        SyncStream stream = openStream(subscription);
        hub.publish(map(5));
        hub.publish(map(5));
        hub.publish(map(3));
        assertThat(observer.sent).hasSize(1);
        assertThat(stream.lastSentSerial()).isEqualTo(5);
    }

    @Test
    void theOpenStreamMarksThePeerConnectedAndCancellingDisconnectsIt() {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, PEER);
        openStream(subscription);
        assertThat(status.calls).containsExactly("connected " + PEER + " from 192.0.2.7");

        observer.cancel();

        assertThat(status.calls).containsExactly("connected " + PEER + " from 192.0.2.7", "disconnected " + PEER);
        assertThat(hub.subscriberCount(ACCOUNT, PEER)).isZero();
        hub.publish(map(9));
        assertThat(observer.sent).isEmpty();
        assertThat(observer.closedWith).isNull();
    }

    @Test
    void aDeletedPeersStreamEndsWithPermissionDenied() {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, PEER);
        openStream(subscription);

        hub.peerRemoved(ACCOUNT, PEER);

        assertThat(observer.closedWith.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.calls).last().isEqualTo("disconnected " + PEER);
        assertThat(sessions.openCount(new PeerRef(ACCOUNT, PEER))).isZero();
    }

    @Test
    void aMapSayingTheLoginExpiredEndsTheStreamWithoutBeingSent() {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, PEER);
        SyncStream stream = openStream(subscription);
        hub.publish(map(4));
        assertThat(observer.sent).hasSize(1);

        hub.publish(expiredMap(5));

        assertThat(observer.sent).as("the expired map is not sent").hasSize(1);
        assertThat(observer.closedWith.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(observer.closedWith.getDescription()).isEqualTo("peer login has expired, please log in once more");
        assertThat(status.calls).last().isEqualTo("disconnected " + PEER);
        assertThat(sessions.openCount(new PeerRef(ACCOUNT, PEER))).isZero();
        assertThat(subscription.isClosed()).isTrue();
        assertThat(stream.lastSentSerial()).isEqualTo(4);
    }

    @Test
    void terminatingEndsTheCallOnceWithTheGivenStatus() {
        SyncStream stream = openStream(hub.subscribe(ACCOUNT, PEER));
        stream.terminate(Status.UNAVAILABLE.withDescription("shutting down"));
        stream.terminate(Status.OK);
        assertThat(observer.closedWith.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(observer.closeCount).isEqualTo(1);
        assertThat(status.calls).filteredOn(c -> c.startsWith("disconnected")).hasSize(1);
    }

    @Test
    void aConfigRefreshSendsAFreshConfigWithoutAMapOnlyToAStreamThatHasAMapAndIsReading() {
        SyncStream stream = openStream(hub.subscribe(ACCOUNT, PEER));
        stream.resendConfig();
        assertThat(observer.sent).as("nothing before the first map").isEmpty();

        hub.publish(map(7));
        stream.resendConfig();

        assertThat(observer.sent).hasSize(2);
        SyncResponse refresh = open(observer.sent.get(1));
        assertThat(refresh.hasNetworkMap()).isFalse();
        assertThat(refresh.getRemotePeersCount()).isZero();
        assertThat(refresh.getNetbirdConfig().getRelay().getTokenPayload()).isEqualTo("token-2");
        assertThat(stream.lastSentSerial()).isEqualTo(7);

        observer.ready = false;
        stream.resendConfig();
        assertThat(observer.sent).as("a client that is not reading gets nothing more").hasSize(2);

        observer.ready = true;
        stream.terminate(Status.OK);
        stream.resendConfig();
        assertThat(observer.sent).as("nothing after the end").hasSize(2);
    }

    @Test
    void aMapLargerThanTheClientCanReceiveIsNotSentAndEndsTheStreamSoThePeerReconnects() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        try {
            NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, PEER);
            SyncStream stream = openStream(subscription);
            hub.publish(map(1));
            assertThat(observer.sent).hasSize(1);

            // 30,000 peers: over 4 MiB once sealed (NetBird's SyncResponse lists the peers twice)
            PeerNetworkMap huge = mapWithRemotePeers(2, 30_000);
            assertThat(stream.syncResponse(huge).getSerializedSize()).isGreaterThan(GrpcLimits.CLIENT_RECEIVE_LIMIT);
            hub.publish(huge);

            assertThat(observer.sent).as("the oversized map is not sent").hasSize(1);
            assertThat(observer.closedWith.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(observer.closedWith.getDescription()).startsWith("network map too large");
            assertThat(status.calls).last().isEqualTo("disconnected " + PEER);
            assertThat(sessions.openCount(new PeerRef(ACCOUNT, PEER))).isZero();
            assertThat(stream.lastSentSerial()).isEqualTo(1);
            assertThat(meters.counter(SyncStream.TOO_LARGE_METRIC, "method", "sync").count()).isEqualTo(1.0);
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
        }
    }

    @Test
    void aLargeMapWithinTheClientsLimitIsSent() {
        NetworkMapHub.Subscription subscription = hub.subscribe(ACCOUNT, PEER);
        openStream(subscription);
        PeerNetworkMap large = mapWithRemotePeers(3, 10_000);

        hub.publish(large);

        assertThat(observer.closedWith).isNull();
        assertThat(observer.sent).hasSize(1);
        assertThat(observer.sent.get(0).getSerializedSize()).isBetween(1024 * 1024, GrpcLimits.CLIENT_RECEIVE_LIMIT);
        assertThat(open(observer.sent.get(0)).getNetworkMap().getRemotePeersCount()).isEqualTo(10_000);
    }

    private PeerNetworkMap mapWithRemotePeers(long serial, int count) {
        List<dev.tern.projector.RemotePeer> remotes = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            int host = i + 2;
            MeshIp ip = new MeshIp("100.64." + (host / 256) + "." + (host % 256));
            remotes.add(new dev.tern.projector.RemotePeer("peer-" + i, "host-" + i,
                    WireGuardKey.of(randomKey()), ip, "host-" + i + ".tern.internal", false));
        }
        return new PeerNetworkMap(ACCOUNT, PEER, serial, map(serial).peerConfig(), remotes, List.of(), List.of(),
                false);
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(key);
        return key;
    }

    private SyncResponse open(EncryptedMessage message) {
        return EncryptedMessages.open(message, server.publicKey(), peer.privateKey(), SyncResponse.parser());
    }

    private PeerNetworkMap map(long serial) {
        PeerConfig own = new PeerConfig(PEER, "laptop", WireGuardKey.of(peer.publicKey()), new MeshIp("100.64.0.1"),
                "100.64.0.1/16", "laptop.tern.internal", false);
        return new PeerNetworkMap(ACCOUNT, PEER, serial, own, List.of(), List.of(), List.of(), false);
    }

    private PeerNetworkMap expiredMap(long serial) {
        PeerNetworkMap map = map(serial);
        return new PeerNetworkMap(ACCOUNT, PEER, serial, map.peerConfig(), List.of(), List.of(), List.of(), true);
    }

    static class RecordingStatusStore implements PeerStatusStore {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public void markConnected(String accountId, String peerId, Instant at, String connectionIp) {
            calls.add("connected " + peerId + " from " + connectionIp);
        }

        @Override
        public void markDisconnected(String accountId, String peerId, Instant at) {
            calls.add("disconnected " + peerId);
        }
    }

    /** A server call the test drives: readiness, cancellation, and what was sent or how it was closed. */
    static final class FakeObserver extends ServerCallStreamObserver<EncryptedMessage> {
        final List<EncryptedMessage> sent = new CopyOnWriteArrayList<>();
        volatile boolean ready = true;
        volatile Status closedWith;
        volatile int closeCount;
        private Runnable onReady = () -> { };
        private Runnable onCancel = () -> { };
        private boolean cancelled;

        void becomeReady() {
            ready = true;
            onReady.run();
        }

        void cancel() {
            cancelled = true;
            onCancel.run();
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void setOnCancelHandler(Runnable handler) {
            onCancel = handler;
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyHandler(Runnable handler) {
            onReady = handler;
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void request(int count) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }

        @Override
        public void onNext(EncryptedMessage value) {
            if (closedWith != null || cancelled) {
                throw new IllegalStateException("call already closed");
            }
            sent.add(value);
        }

        @Override
        public void onError(Throwable t) {
            closedWith = Status.fromThrowable(t);
            closeCount++;
        }

        @Override
        public void onCompleted() {
            closedWith = Status.OK;
            closeCount++;
        }
    }
}

package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.tern.api.tls.ListenerTls;
import dev.tern.api.datapath.EmbeddedDataPathNode;
import dev.tern.api.datapath.PeerDataPathConfig;
import dev.tern.api.config.TernSettings;
import dev.tern.api.grpc.SyncStreamTest.RecordingStatusStore;
import dev.tern.events.AccountCreated;
import dev.tern.events.PeerRegistered;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.projector.NetworkMapProjector.PeerRef;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.PeerKeys;
import dev.tern.protocol.management.SyncMetaRequest;
import dev.tern.protocol.management.SyncRequest;
import dev.tern.protocol.management.SyncResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What one client can make the management gRPC server hold and what it can replay: a real Netty server on a free
 * port in front of a real projector fed with events (no Spring, no database), and real clients.
 */
class GrpcLimitsServerTest {
    private static final String ACCOUNT = "acc-limits-test";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ServerKeyStore.ServerKey serverKey = new ServerKeyStore.ServerKey(NaclBox.generateKeyPair(), 1);
    private final NetworkMapProjector projector = new NetworkMapProjector();
    private final SyncSessions sessions = new SyncSessions(new RecordingStatusStore(), Clock.systemUTC());
    private final List<X25519KeyPair> peerKeys = new ArrayList<>();
    private ManagementGrpcServer server;
    private ManagedChannel channel;

    private void start(GrpcLimits limits) {
        projector.apply(new AccountCreated(ACCOUNT, new Cidr("100.64.0.0", 16), "test.internal", Instant.now()));
        for (int i = 1; i <= 4; i++) {
            X25519KeyPair key = NaclBox.generateKeyPair();
            peerKeys.add(key);
            projector.apply(new PeerRegistered(ACCOUNT, peerId(i), WireGuardKey.of(key.publicKey()),
                    new MeshIp("100.64.0." + i), "laptop-" + i, "laptop-" + i, PeerSystemMeta.ofHostname("laptop-" + i),
                    null, null, false, false, Instant.now()));
        }
        TernSettings settings = TernSettings.from(Map.of(), Map.of("tern.data-dir", "target/grpc-limits-test",
                "tern.signal-url", "http://signal.test:10000")::get);
        ExecutorService executor = Executors.newFixedThreadPool(4);
        PeerDataPathConfig dataPath = new PeerDataPathConfig(settings,
                new EmbeddedDataPathNode(settings, ListenerTls.plaintext(), Clock.systemUTC()));
        ManagementService service = new ManagementService(serverKey, null, projector, dataPath, sessions, executor,
                () -> true, Clock.systemUTC(), limits.maxAnswerBytes());
        server = new ManagementGrpcServer(0, service, sessions, List.of(executor), executor, Duration.ofSeconds(30),
                Duration.ofHours(1), limits);
        server.start();
        channel = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow();
            channel.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.stop();
        }
    }

    // ------------------------------------------------------------------ streams per peer

    @Test
    void threeHundredSyncsForOnePeerLeaveOneStreamOpen() throws Exception {
        start(GrpcLimits.defaults());
        List<Sync> syncs = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            syncs.add(sync(1, seal(1, SyncRequest.getDefaultInstance())));
        }

        await().atMost(WAIT).until(() -> syncs.stream().filter(s -> s.ended.isDone()).count() == 299);
        List<Sync> open = syncs.stream().filter(s -> !s.ended.isDone()).toList();
        assertThat(open).hasSize(1);
        assertThat(sessions.openCount(new PeerRef(ACCOUNT, peerId(1)))).isEqualTo(1);
        await().atMost(WAIT).until(() -> !open.get(0).responses.isEmpty());
        for (Sync replaced : syncs) {
            if (replaced != open.get(0)) {
                Status status = replaced.ended.getNow(null);
                assertThat(status.getCode()).isEqualTo(Status.Code.CANCELLED);
                assertThat(status.getDescription()).contains("replaced by a newer Sync stream");
            }
        }
    }

    // ------------------------------------------------------------------ calls per address

    @Test
    void callsOverTheAddressLimitAreRefusedWithResourceExhaustedUntilOneEnds() throws Exception {
        // more calls per connection than per address: this one client connection meets the address's limit
        start(new GrpcLimits(3, 100, GrpcLimits.MAX_INBOUND_MESSAGE_BYTES,
                GrpcLimits.CLIENT_RECEIVE_LIMIT));
        List<Sync> streams = new ArrayList<>();
        for (int peer = 1; peer <= 3; peer++) {
            Sync sync = sync(peer, seal(peer, SyncRequest.getDefaultInstance()));
            streams.add(sync);
            await().atMost(WAIT).until(() -> !sync.responses.isEmpty());
        }

        Sync fourth = sync(4, seal(4, SyncRequest.getDefaultInstance()));
        Status refused = fourth.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getDescription()).contains("too many open calls from");
        assertThatThrownBy(() -> blocking().getServerKey(Empty.getDefaultInstance()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(streams).allMatch(s -> !s.ended.isDone());

        // A stream that ends gives its slot back.
        streams.get(0).call.cancel(null, null);
        await().atMost(WAIT).untilAsserted(() -> {
            Sync again = sync(4, seal(4, SyncRequest.getDefaultInstance()));
            await().atMost(WAIT).until(() -> !again.responses.isEmpty() || again.ended.isDone());
            assertThat(again.responses).isNotEmpty();
        });
    }

    @Test
    void aRequestOverTheInboundSizeLimitIsRefused() throws Exception {
        start(GrpcLimits.defaults());
        LoginRequest huge = login(1).toBuilder()
                .setJwtToken("x".repeat(GrpcLimits.MAX_INBOUND_MESSAGE_BYTES + 1)).build();

        assertThatThrownBy(() -> blocking().login(seal(1, huge)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        // the connection is still usable for a request of sane size
        assertThat(blocking().login(seal(1, login(1)))).isNotNull();
    }

    // ------------------------------------------------------------------ replays

    @Test
    void replayingTheSameEncryptedSyncIsRefusedAndDoesNotEvictTheLiveStream() throws Exception {
        start(GrpcLimits.defaults());
        EncryptedMessage captured = seal(1, SyncRequest.getDefaultInstance());
        Sync live = sync(1, captured);
        await().atMost(WAIT).until(() -> !live.responses.isEmpty());

        Sync replayed = sync(1, captured);

        Status refused = replayed.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(refused.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(refused.getDescription()).contains("replayed message");
        assertThat(replayed.responses).isEmpty();
        assertThat(live.ended).isNotDone();
        assertThat(sessions.openCount(new PeerRef(ACCOUNT, peerId(1)))).isEqualTo(1);
    }

    @Test
    void replayingTheSameEncryptedLogoutIsRefusedAndLeavesTheNewStreamOpen() throws Exception {
        start(GrpcLimits.defaults());
        Sync first = sync(1, seal(1, SyncRequest.getDefaultInstance()));
        await().atMost(WAIT).until(() -> !first.responses.isEmpty());
        EncryptedMessage logout = seal(1, Empty.getDefaultInstance());
        blocking().logout(logout);
        assertThat(first.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);

        Sync second = sync(1, seal(1, SyncRequest.getDefaultInstance()));
        await().atMost(WAIT).until(() -> !second.responses.isEmpty());
        assertThatThrownBy(() -> blocking().logout(logout))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).contains("replayed message");
                });
        assertThat(second.ended).isNotDone();
        assertThat(sessions.openCount(new PeerRef(ACCOUNT, peerId(1)))).isEqualTo(1);
    }

    @Test
    void replayingTheSameEncryptedLoginOrSyncMetaIsRefusedWhileFreshOnesAreServed() throws Exception {
        start(GrpcLimits.defaults());
        EncryptedMessage login = seal(2, login(2));
        LoginResponse answer = open(2, blocking().login(login), LoginResponse.parser());
        assertThat(answer.getPeerConfig().getAddress()).isEqualTo("100.64.0.2/16");
        EncryptedMessage meta = seal(2, SyncMetaRequest.getDefaultInstance());
        blocking().syncMeta(meta);

        for (EncryptedMessage replay : List.of(login, meta)) {
            assertThatThrownBy(() -> {
                if (replay == login) {
                    blocking().login(replay);
                } else {
                    blocking().syncMeta(replay);
                }
            }).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        }
        // the same requests sealed afresh, as a real client sends them, are served
        assertThat(open(2, blocking().login(seal(2, login(2))), LoginResponse.parser()).getPeerConfig())
                .isEqualTo(answer.getPeerConfig());
        blocking().syncMeta(seal(2, SyncMetaRequest.getDefaultInstance()));
    }

    // ------------------------------------------------------------------ answers the client cannot take

    @Test
    void answersLargerThanTheClientCanReceiveEndTheCallWithResourceExhausted() throws Exception {
        // A limit below any answer stands in for a map over 4 MiB (SyncStreamTest has one of the real size).
        start(new GrpcLimits(GrpcLimits.DEFAULT_MAX_CALLS_PER_ADDRESS, GrpcLimits.DEFAULT_MAX_CALLS_PER_ADDRESS,
                GrpcLimits.MAX_INBOUND_MESSAGE_BYTES, 64));

        Sync sync = sync(1, seal(1, SyncRequest.getDefaultInstance()));
        Status ended = sync.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(ended.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(ended.getDescription()).startsWith("network map too large");
        assertThat(sync.responses).isEmpty();
        assertThat(sessions.openCount(new PeerRef(ACCOUNT, peerId(1)))).isZero();

        assertThatThrownBy(() -> blocking().login(seal(1, login(1))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).startsWith("login answer too large");
                });
    }

    // ------------------------------------------------------------------ helpers

    private static String peerId(int n) {
        return "peer-" + n;
    }

    private X25519KeyPair key(int peer) {
        return peerKeys.get(peer - 1);
    }

    private EncryptedMessage seal(int peer, com.google.protobuf.MessageLite message) {
        return EncryptedMessages.seal(message, key(peer), serverKey.keyPair().publicKey());
    }

    private <T extends com.google.protobuf.MessageLite> T open(int peer, EncryptedMessage message,
                                                               com.google.protobuf.Parser<T> parser) {
        return EncryptedMessages.open(message, serverKey.keyPair().publicKey(), key(peer).privateKey(), parser);
    }

    private LoginRequest login(int peer) {
        return LoginRequest.newBuilder()
                .setMeta(dev.tern.protocol.management.PeerSystemMeta.newBuilder().setHostname("laptop-" + peer))
                .setPeerKeys(PeerKeys.newBuilder().setWgPubKey(ByteString.copyFrom(key(peer).publicKeyBase64(),
                        StandardCharsets.UTF_8)))
                .build();
    }

    private ManagementServiceGrpc.ManagementServiceBlockingStub blocking() {
        return ManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    private Sync sync(int peer, EncryptedMessage request) {
        Sync sync = new Sync(peer);
        ManagementServiceGrpc.newStub(channel).sync(request, sync);
        return sync;
    }

    /** One Sync call from the client's side. */
    private final class Sync implements io.grpc.stub.ClientResponseObserver<EncryptedMessage, EncryptedMessage> {
        final int peer;
        final List<SyncResponse> responses = new CopyOnWriteArrayList<>();
        final CompletableFuture<Status> ended = new CompletableFuture<>();
        volatile io.grpc.stub.ClientCallStreamObserver<EncryptedMessage> call;

        Sync(int peer) {
            this.peer = peer;
        }

        @Override
        public void beforeStart(io.grpc.stub.ClientCallStreamObserver<EncryptedMessage> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(EncryptedMessage value) {
            responses.add(open(peer, value, SyncResponse.parser()));
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(Status.fromThrowable(t));
        }

        @Override
        public void onCompleted() {
            ended.complete(Status.OK);
        }
    }
}

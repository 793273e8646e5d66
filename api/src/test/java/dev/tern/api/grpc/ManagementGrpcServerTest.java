package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.api.tls.ListenerTls;
import dev.tern.api.datapath.EmbeddedDataPathNode;
import dev.tern.api.datapath.PeerDataPathConfig;
import dev.tern.api.config.TernSettings;
import dev.tern.api.grpc.SyncStreamTest.RecordingStatusStore;
import dev.tern.events.AccountCreated;
import dev.tern.events.PeerRegistered;
import dev.tern.events.PeerRenamed;
import dev.tern.events.values.Cidr;
import dev.tern.events.values.MeshIp;
import dev.tern.events.values.PeerSystemMeta;
import dev.tern.events.values.WireGuardKey;
import dev.tern.projector.NetworkMapProjector;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.protocol.management.SyncRequest;
import dev.tern.protocol.management.SyncResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gRPC server on its own (no Spring, no database): a real Netty server on a free port in front of a real
 * projector fed with events, and real clients. Shows what the shared integration server cannot easily show:
 * backpressure against a client that stops reading, last_seen refreshing, and shutdown ending the streams.
 */
class ManagementGrpcServerTest {
    private static final String ACCOUNT = "acc-server-test";
    private static final String PEER = "peer-1";

    private final X25519KeyPair peerKey = NaclBox.generateKeyPair();
    private final ServerKeyStore.ServerKey serverKey = new ServerKeyStore.ServerKey(NaclBox.generateKeyPair(), 1);
    private final NetworkMapProjector projector = new NetworkMapProjector();
    private final RecordingStatusStore status = new RecordingStatusStore();
    private final SyncSessions sessions = new SyncSessions(status, Clock.systemUTC());
    private final AtomicBoolean mapsLoaded = new AtomicBoolean(true);
    private ManagementGrpcServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        projector.apply(new AccountCreated(ACCOUNT, new Cidr("100.64.0.0", 16), "test.internal", Instant.now()));
        projector.apply(new PeerRegistered(ACCOUNT, PEER, WireGuardKey.of(peerKey.publicKey()),
                new MeshIp("100.64.0.1"), "laptop", "laptop", PeerSystemMeta.ofHostname("laptop"), null, null, false,
                false, Instant.now()));
        TernSettings settings = TernSettings.from(Map.of(), Map.of("tern.data-dir", "target/grpc-server-test",
                "tern.signal-url", "http://signal.test:10000")::get);
        ExecutorService executor = Executors.newFixedThreadPool(4);
        PeerDataPathConfig dataPath = new PeerDataPathConfig(settings,
                new EmbeddedDataPathNode(settings, ListenerTls.plaintext(), Clock.systemUTC()));
        ManagementService service = new ManagementService(serverKey, null, projector, dataPath, sessions, executor,
                mapsLoaded::get, Clock.systemUTC(), GrpcLimits.CLIENT_RECEIVE_LIMIT);
        server = new ManagementGrpcServer(0, service, sessions, List.of(executor), executor, Duration.ofMillis(100),
                Duration.ofMillis(200), GrpcLimits.defaults());
        server.start();
        // A small receive window makes a client that stops reading push back on the server quickly.
        channel = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext()
                .flowControlWindow(16 * 1024).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(10, TimeUnit.SECONDS);
        server.stop();
    }

    @Test
    void aClientThatStopsReadingGetsTheNewestMapNotEveryMapInBetween() throws Exception {
        Client client = new Client(0);
        client.request(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.maps.size() == 1);
        long firstSerial = client.maps.get(0).getNetworkMap().getSerial();

        int renames = 2000;
        for (int i = 1; i <= renames; i++) {
            projector.apply(new PeerRenamed(ACCOUNT, PEER, "laptop-" + (i - 1), "laptop-" + i, "laptop-" + i));
            // Give the stream time to take each map from the hub's slot, so that only the transport's
            // backpressure (not the slot's coalescing of fast publications) can keep maps from being queued.
            Thread.sleep(1);
        }
        long finalSerial = projector.currentMap(ACCOUNT, PEER).orElseThrow().serial();
        assertThat(finalSerial).isEqualTo(firstSerial + renames);

        client.request(Integer.MAX_VALUE);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                client.maps.get(client.maps.size() - 1).getNetworkMap().getSerial() == finalSerial);

        List<Long> serials = client.maps.stream().map(m -> m.getNetworkMap().getSerial()).toList();
        assertThat(serials).isSorted().doesNotHaveDuplicates();
        assertThat(client.maps.get(client.maps.size() - 1).getPeerConfig().getFqdn())
                .isEqualTo("laptop-" + renames + ".test.internal");
        // What the transport had buffered went out, then the newest map; everything between was dropped.
        assertThat(serials.size()).as("maps received").isLessThan(renames / 2);
    }

    @Test
    void openStreamsRefreshLastSeenAndShutdownEndsThemAsUnavailable() throws Exception {
        Client client = new Client(Integer.MAX_VALUE);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.maps.size() == 1);
        assertThat(client.maps.get(0).getNetbirdConfig().getSignal().getUri()).isEqualTo("signal.test:10000");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                status.calls.stream().filter(c -> c.startsWith("connected " + PEER)).count() >= 3);
        // The server's config refresh reaches the open stream as config-only responses.
        await().atMost(Duration.ofSeconds(10)).until(() -> client.configs.size() >= 2);
        assertThat(client.configs.get(0).getNetbirdConfig().getSignal().getUri()).isEqualTo("signal.test:10000");
        assertThat(client.maps).hasSize(1);

        server.stop();

        assertThat(client.ended.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.calls).last().isEqualTo("disconnected " + PEER);
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void untilTheMapsAreLoadedAnUnknownKeyIsToldToRetryNotToRegister() throws Exception {
        mapsLoaded.set(false);
        X25519KeyPair stranger = NaclBox.generateKeyPair();
        var blocking = ManagementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        EncryptedMessage login = EncryptedMessages.seal(LoginRequest.newBuilder()
                .setMeta(dev.tern.protocol.management.PeerSystemMeta.newBuilder().setHostname("new")).build(),
                stranger, serverKey.keyPair().publicKey());

        assertThatThrownBy(() -> blocking.login(login)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        // A peer the projector already knows is served as usual.
        Client known = new Client(Integer.MAX_VALUE);
        await().atMost(Duration.ofSeconds(10)).until(() -> known.maps.size() == 1);

        mapsLoaded.set(true);
        assertThatThrownBy(() -> blocking.login(login)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    /** A Sync client that reads only as many messages as it requests. */
    private final class Client implements ClientResponseObserver<EncryptedMessage, EncryptedMessage> {
        final List<SyncResponse> maps = new CopyOnWriteArrayList<>();
        /** Config-only responses (token refreshes), kept apart from the maps. */
        final List<SyncResponse> configs = new CopyOnWriteArrayList<>();
        final CompletableFuture<Status> ended = new CompletableFuture<>();
        private final int initialRequest;
        private ClientCallStreamObserver<EncryptedMessage> call;

        Client(int initialRequest) {
            this.initialRequest = initialRequest;
            EncryptedMessage request = EncryptedMessages.seal(SyncRequest.getDefaultInstance(), peerKey,
                    serverKey.keyPair().publicKey());
            ManagementServiceGrpc.newStub(channel).sync(request, this);
        }

        void request(int count) {
            call.request(count);
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<EncryptedMessage> requestStream) {
            call = requestStream;
            requestStream.disableAutoRequestWithInitial(initialRequest);
        }

        @Override
        public void onNext(EncryptedMessage value) {
            SyncResponse response = EncryptedMessages.open(value, serverKey.keyPair().publicKey(),
                    peerKey.privateKey(), SyncResponse.parser());
            (response.hasNetworkMap() ? maps : configs).add(response);
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

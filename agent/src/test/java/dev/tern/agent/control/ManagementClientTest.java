package dev.tern.agent.control;

import dev.tern.agent.TernCli;
import dev.tern.agent.common.AgentException;
import dev.tern.agent.common.Backoff;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.crypto.X25519KeyPair;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.NetbirdConfig;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.PeerSystemMeta;
import dev.tern.protocol.management.RelayConfig;
import dev.tern.protocol.management.SyncResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ManagementClientTest {
    private final String name = "mgmt-" + System.nanoTime();
    private final FakeManagementServer fake = new FakeManagementServer();
    private final X25519KeyPair peer = NaclBox.generateKeyPair();
    private final List<LoginResponse> logins = new CopyOnWriteArrayList<>();
    private final List<Long> serials = new CopyOnWriteArrayList<>();
    private final List<String> states = new CopyOnWriteArrayList<>();
    private final List<NetbirdConfig> configs = new CopyOnWriteArrayList<>();
    private Server server;
    private ManagedChannel channel;
    private ManagementClient client;
    private Thread loop;
    @TempDir
    Path configDir;

    private final ManagementClient.Listener listener = new ManagementClient.Listener() {
        @Override
        public void onLogin(LoginResponse response) {
            logins.add(response);
        }

        @Override
        public void onNetworkMap(SyncResponse response) {
            serials.add(response.getNetworkMap().getSerial());
        }

        @Override
        public void onStateChange(String state, String error) {
            states.add(state);
        }

        @Override
        public void onConfig(NetbirdConfig config) {
            configs.add(config);
        }
    };

    @BeforeEach
    void start() throws IOException {
        server = startServer();
        channel = InProcessChannelBuilder.forName(name).build();
    }

    private Server startServer() throws IOException {
        return InProcessServerBuilder.forName(name).addService(fake).build().start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (client != null) {
            client.close();
        }
        if (loop != null) {
            loop.join(5000);
        }
        channel.shutdownNow();
        server.shutdownNow();
    }

    private ManagementClient client(String setupKey) {
        client = new ManagementClient(channel, peer, setupKey, PeerSystemMeta.newBuilder().setHostname("host-a").build(),
                pin(false), listener);
        return client;
    }

    private ServerKeyPin pin(boolean acceptNewKey) {
        return new ServerKeyPin(pinFile(), configDir.toString(), acceptNewKey);
    }

    private Path pinFile() {
        return configDir.resolve("server.pub");
    }

    private static NetworkMap map(long serial) {
        return NetworkMap.newBuilder().setSerial(serial).build();
    }

    @Test
    void firstLoginGoesWithoutSetupKeyAndRetriesWithItAfterPermissionDenied() {
        LoginResponse response = client(FakeManagementServer.SETUP_KEY).login();

        assertThat(fake.loginSetupKeys).containsExactly("", FakeManagementServer.SETUP_KEY);
        assertThat(fake.registered).containsExactly(peer.publicKeyBase64());
        assertThat(fake.hostnames).contains("host-a");
        assertThat(response.getPeerConfig().getAddress()).isEqualTo("100.64.0.7/16");
        assertThat(logins).hasSize(1);
    }

    @Test
    void aRegisteredPeerLogsInWithoutTouchingItsSetupKey() {
        fake.registered.add(peer.publicKeyBase64());

        client(FakeManagementServer.SETUP_KEY).login();

        assertThat(fake.loginSetupKeys).containsExactly("");
    }

    @Test
    void anUnregisteredPeerWithoutSetupKeyGetsAClearErrorAndIsNotRegistered() {
        assertThatThrownBy(() -> client(null).login())
                .isInstanceOf(AgentException.class)
                .hasMessageContaining("--setup-key")
                .satisfies(e -> assertThat(((AgentException) e).exitCode()).isEqualTo(AgentException.MANAGEMENT));
        assertThat(fake.registered).isEmpty();
    }

    @Test
    void aWrongSetupKeyIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> client("WRONG-KEY-123").login())
                .isInstanceOf(AgentException.class)
                .hasMessageContaining("refused the setup key")
                .hasMessageNotContaining("WRONG-KEY-123");
        assertThat(fake.registered).isEmpty();
    }

    @Test
    void syncAppliesNewerMapsAndIgnoresOlderOnes() {
        ManagementClient c = client(FakeManagementServer.SETUP_KEY);
        loop = new Thread(() -> c.runSyncLoop(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), false));
        loop.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));

        fake.push(peer.publicKeyBase64(), map(5));
        fake.push(peer.publicKeyBase64(), map(3));
        fake.push(peer.publicKeyBase64(), map(5));
        fake.push(peer.publicKeyBase64(), map(6));

        await().atMost(Duration.ofSeconds(30)).until(() -> serials.contains(6L));
        assertThat(serials).containsExactly(5L, 6L);
        assertThat(states).contains("connected");
    }

    @Test
    void aConfigOnlySyncMessageHandsOverTheRefreshedRelayTokenWithoutAMap() {
        ManagementClient c = client(FakeManagementServer.SETUP_KEY);
        loop = new Thread(() -> c.runSyncLoop(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), false));
        loop.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));

        fake.pushConfig(peer.publicKeyBase64(), NetbirdConfig.newBuilder().setRelay(RelayConfig.newBuilder()
                .addUrls("rel://relay:33080").setTokenPayload("1900000000").setTokenSignature("c2ln")).build());

        await().atMost(Duration.ofSeconds(30)).until(() -> !configs.isEmpty());
        assertThat(configs.get(0).getRelay().getTokenPayload()).isEqualTo("1900000000");
        assertThat(serials).isEmpty();
    }

    @Test
    void reconnectsWithBackoffAfterTheServerGoesAwayAndResyncs() throws Exception {
        ManagementClient c = client(FakeManagementServer.SETUP_KEY);
        loop = new Thread(() -> c.runSyncLoop(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), false));
        loop.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));
        fake.push(peer.publicKeyBase64(), map(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> serials.contains(1L));

        fake.syncStreams.clear();
        server.shutdownNow().awaitTermination();
        await().atMost(Duration.ofSeconds(30)).until(() -> states.contains("disconnected"));
        int loginsWhileDown = fake.loginSetupKeys.size();
        server = startServer();

        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));
        fake.push(peer.publicKeyBase64(), map(2));
        await().atMost(Duration.ofSeconds(30)).until(() -> serials.contains(2L));
        assertThat(serials).containsExactly(1L, 2L);
        // it logged in again after the restart, as a known peer: no setup key
        assertThat(fake.loginSetupKeys.subList(loginsWhileDown, fake.loginSetupKeys.size())).containsOnly("");
        assertThat(states.get(states.size() - 1)).isEqualTo("connected");
    }

    /**
     * gRPC's channel keeps its own reconnect backoff (1 s growing by 1.6 up to 2 min, jittered) and fails every call
     * fast while it waits: after a long outage the agent came back on gRPC's schedule (up to ~17 s after a 30 s
     * outage; 2 min after long ones), not on its own (at most 200 ms here). A real TCP channel, as the agent uses.
     */
    @Test
    void afterALongOutageItReconnectsOnItsOwnBackoffNotOnTheChannels() throws Exception {
        Server tcpServer = io.grpc.netty.NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", 0))
                .addService(fake).build().start();
        int port = tcpServer.getPort();
        io.grpc.ManagedChannel tcpChannel = Channels.open(new Channels.Target("127.0.0.1", port, false));
        try {
            client = new ManagementClient(tcpChannel, peer, FakeManagementServer.SETUP_KEY,
                    PeerSystemMeta.newBuilder().setHostname("host-a").build(), pin(false), listener);
            ManagementClient c = client;
            loop = new Thread(() -> c.runSyncLoop(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), false));
            loop.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));

            fake.syncStreams.clear();
            tcpServer.shutdownNow().awaitTermination();
            // an outage long enough for the channel's own backoff to reach 10-20 s between attempts
            Thread.sleep(30_000);
            tcpServer = io.grpc.netty.NettyServerBuilder.forAddress(new java.net.InetSocketAddress("127.0.0.1", port))
                    .addService(fake).build().start();

            await("back within the agent's own backoff").atMost(Duration.ofSeconds(3))
                    .until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));
        } finally {
            client.close();
            loop.join(5000);
            tcpChannel.shutdownNow();
            tcpServer.shutdownNow();
        }
    }

    @Test
    void anExpiredLoginIsRenewedWithTheSetupKeyAndTheStreamResumes() {
        ManagementClient c = client(FakeManagementServer.SETUP_KEY);
        loop = new Thread(() -> c.runSyncLoop(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), false));
        loop.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));
        int loginsBefore = fake.loginSetupKeys.size();

        fake.expire(peer.publicKeyBase64());

        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));
        assertThat(fake.expired).isEmpty();
        // denied without the key, then in with it
        assertThat(fake.loginSetupKeys.subList(loginsBefore, fake.loginSetupKeys.size()))
                .containsExactly("", FakeManagementServer.SETUP_KEY);
        fake.push(peer.publicKeyBase64(), map(9));
        await().atMost(Duration.ofSeconds(30)).until(() -> serials.contains(9L));
    }

    @Test
    void withoutASetupKeyAnExpiredPeerWaitsInNeedsLoginAndSaysWhy() {
        fake.registered.add(peer.publicKeyBase64());
        List<String> errors = new CopyOnWriteArrayList<>();
        client = new ManagementClient(channel, peer, null, PeerSystemMeta.newBuilder().setHostname("host-a").build(),
                pin(false), new ManagementClient.Listener() {
                    @Override
                    public void onLogin(LoginResponse response) {
                    }

                    @Override
                    public void onNetworkMap(SyncResponse response) {
                    }

                    @Override
                    public void onStateChange(String state, String error) {
                        states.add(state);
                        errors.add(state + ": " + error);
                    }
                });
        ManagementClient c = client;
        loop = new Thread(() -> c.runSyncLoop(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), false));
        loop.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));

        fake.expire(peer.publicKeyBase64());

        await().atMost(Duration.ofSeconds(30)).until(() -> states.contains("needs-login"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("needs-login: this peer's login has expired")
                .contains("--setup-key"));
        assertThat(fake.loginSetupKeys).doesNotContain(FakeManagementServer.SETUP_KEY);
        // an admin lifting the expiry lets it back in on its next (slowest-pace) attempt, no restart needed
        fake.expired.clear();
        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));
    }

    @Test
    void theFirstLoginPinsTheServerKeyAndALaterDifferentKeyIsRefusedBeforeAnythingIsSealedToIt() throws Exception {
        String firstKey = fake.serverKey.publicKeyBase64();
        client(FakeManagementServer.SETUP_KEY).login();
        assertThat(Files.readString(pinFile()).strip()).isEqualTo(firstKey);

        fake.serverKey = NaclBox.generateKeyPair();
        String newKey = fake.serverKey.publicKeyBase64();
        int loginCallsBefore = fake.loginCalls.get();

        assertThatThrownBy(() -> client(FakeManagementServer.SETUP_KEY).login())
                .isInstanceOf(ServerKeyPin.MismatchException.class)
                .hasMessageContaining(newKey).hasMessageContaining(firstKey)
                .hasMessageContaining("tern reset-server-key --config-dir " + configDir)
                .hasMessageContaining("--accept-new-server-key")
                .hasMessageNotContaining(FakeManagementServer.SETUP_KEY)
                .satisfies(e -> assertThat(((AgentException) e).exitCode()).isEqualTo(AgentException.MANAGEMENT));
        assertThat(fake.loginCalls.get()).as("no login, and no setup key, sent to the new key").isEqualTo(loginCallsBefore);
        assertThat(Files.readString(pinFile()).strip()).isEqualTo(firstKey);

        // The documented reset: the next login trusts (and pins) the key the server presents then.
        StringWriter out = new StringWriter();
        assertThat(TernCli.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                "reset-server-key", "--config-dir", configDir.toString())).isZero();
        assertThat(out.toString()).contains(firstKey);
        client(FakeManagementServer.SETUP_KEY).login();
        assertThat(Files.readString(pinFile()).strip()).isEqualTo(newKey);
    }

    @Test
    void acceptingANewServerKeyRepinsOnceAndAFurtherChangeIsRefusedAgain() throws Exception {
        client(FakeManagementServer.SETUP_KEY).login();
        fake.serverKey = NaclBox.generateKeyPair();
        String acceptedKey = fake.serverKey.publicKeyBase64();

        ManagementClient accepting = new ManagementClient(channel, peer, null,
                PeerSystemMeta.newBuilder().setHostname("host-a").build(), pin(true), listener);
        accepting.login();
        assertThat(Files.readString(pinFile()).strip()).isEqualTo(acceptedKey);

        fake.serverKey = NaclBox.generateKeyPair();
        assertThatThrownBy(accepting::login).isInstanceOf(ServerKeyPin.MismatchException.class)
                .hasMessageContaining(acceptedKey);
    }

    @Test
    void aKeyIsOnlyPinnedByALoginWhoseAnswerOpens() {
        assertThatThrownBy(() -> client("WRONG-KEY-123").login()).isInstanceOf(AgentException.class);

        assertThat(pinFile()).doesNotExist();
    }

    @Test
    void aRunningAgentReportsAChangedServerKeyOpensNoSyncAndResumesAfterAReset() throws Exception {
        List<String> errors = new CopyOnWriteArrayList<>();
        ManagementClient c = new ManagementClient(channel, peer, FakeManagementServer.SETUP_KEY,
                PeerSystemMeta.newBuilder().setHostname("host-a").build(), pin(false), new ManagementClient.Listener() {
                    @Override
                    public void onLogin(LoginResponse response) {
                    }

                    @Override
                    public void onNetworkMap(SyncResponse response) {
                        serials.add(response.getNetworkMap().getSerial());
                    }

                    @Override
                    public void onStateChange(String state, String error) {
                        states.add(state);
                        errors.add(state + ": " + error);
                    }
                });
        client = c;
        loop = new Thread(() -> c.runSyncLoop(new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)), false));
        loop.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));

        // The server comes back with another key (or an impostor answers in its place).
        fake.serverKey = NaclBox.generateKeyPair();
        String newKey = fake.serverKey.publicKeyBase64();
        fake.syncStreams.remove(peer.publicKeyBase64()).onError(io.grpc.Status.UNAVAILABLE.asRuntimeException());

        await().atMost(Duration.ofSeconds(30)).until(() -> states.contains(ManagementClient.SERVER_KEY_CHANGED));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("server-key-changed: the management server "
                + "presents key " + newKey));
        assertThat(fake.syncStreams).doesNotContainKey(peer.publicKeyBase64());

        new ServerKeyPin(pinFile(), configDir.toString(), false).reset();

        await().atMost(Duration.ofSeconds(30)).until(() -> fake.syncStreams.containsKey(peer.publicKeyBase64()));
        assertThat(Files.readString(pinFile()).strip()).isEqualTo(newKey);
        fake.push(peer.publicKeyBase64(), map(4));
        await().atMost(Duration.ofSeconds(30)).until(() -> serials.contains(4L));
    }

    @Test
    void backoffDoublesUpToItsMaximumAndResets() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(350));

        assertThat(List.of(backoff.nextDelay(), backoff.nextDelay(), backoff.nextDelay(), backoff.nextDelay()))
                .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(350), Duration.ofMillis(350));
        backoff.reset();
        assertThat(backoff.nextDelay()).isEqualTo(Duration.ofMillis(100));
    }
}

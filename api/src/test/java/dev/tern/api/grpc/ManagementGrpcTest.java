package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import dev.tern.api.datapath.EmbeddedDataPathNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.protocol.crypto.EncryptedMessages;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.FirewallRule;
import dev.tern.protocol.management.HostConfig;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.RuleAction;
import dev.tern.protocol.management.RuleDirection;
import dev.tern.protocol.management.RuleProtocol;
import dev.tern.protocol.management.ServerKeyResponse;
import dev.tern.protocol.management.SimpleRecord;
import dev.tern.protocol.management.SyncMetaRequest;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import dev.tern.projector.NetworkMapEventHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import dev.tern.query.ReadYourWrites;
import dev.tern.testsupport.peer.NetBirdLogin;

/**
 * The management gRPC service on the shared test server, over a real channel to its bound port, with peers that
 * seal their bodies as NetBird's client does.
 */
@TernIntegrationTest
class ManagementGrpcTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    TestHttp http;
    @Autowired
    ManagementGrpcServer grpcServer;
    @Autowired
    EmbeddedDataPathNode dataPath;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    ReadYourWrites readYourWrites;
    @Autowired
    EventProcessingConfiguration processing;

    /** Every peer a test opens, closed after it. */
    @RegisterExtension
    final TestPeer.Fleet fleet = new TestPeer.Fleet();

    private TestPeer newPeer() {
        return fleet.newPeer(grpcServer.port());
    }

    // ------------------------------------------------------------------ server key

    @Test
    void serverKeyIsStableAcrossCallsAndComesFromTheDatabase() {
        TestPeer peer = newPeer();
        Instant before = Instant.now();
        ServerKeyResponse first = peer.blocking.getServerKey(Empty.getDefaultInstance());
        ServerKeyResponse second = peer.blocking.getServerKey(Empty.getDefaultInstance());

        assertThat(second.getKey()).isEqualTo(first.getKey());
        assertThat(Base64.getDecoder().decode(first.getKey())).hasSize(32);
        assertThat(first.getVersion()).isEqualTo(ServerKeyStore.KEY_VERSION);
        Instant expires = Instant.ofEpochSecond(first.getExpiresAt().getSeconds());
        assertThat(expires).isAfter(before.plus(Duration.ofHours(23)));
        // A fresh store on the same database, as after a restart or on a second node, reads the same key.
        ServerKeyStore.ServerKey reloaded = new ServerKeyStore(jdbc, Clock.systemUTC()).loadOrCreate();
        assertThat(reloaded.publicKeyBase64()).isEqualTo(first.getKey());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM management_server_key", Integer.class)).isEqualTo(1);
        peer.blocking.isHealthy(Empty.getDefaultInstance());
    }

    // ------------------------------------------------------------------ login

    @Test
    void unknownPeerWithoutSetupKeyIsPermissionDenied() {
        TestPeer peer = newPeer();
        int peersBefore = http.peerCount();

        assertThatThrownBy(() -> peer.login("", unique("nokey")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("setup key");
                });
        caughtUp();
        assertThat(http.peerCount()).isEqualTo(peersBefore);
    }

    @Test
    void loginWithSetupKeyRegistersThePeerAndReturnsItsConfig() throws InterruptedException {
        String autoGroup = createGroup(unique("auto"), List.of());
        SetupKey key = createSetupKey(List.of(autoGroup));
        TestPeer peer = newPeer();
        String hostname = unique("laptop");
        long auditBefore = http.auditTotal();

        LoginResponse login = peer.login(key.plain(), hostname);

        JsonNode rest = http.awaitPeerByName(hostname, WAIT);
        assertThat(rest).as("peer visible in /api/peers").isNotNull();
        assertThat(login.getPeerConfig().getAddress()).isEqualTo(rest.get("ip").asText() + "/16");
        assertThat(login.getPeerConfig().getFqdn()).isEqualTo(rest.get("dns_label").asText());
        assertThat(login.getPeerConfig().getFqdn()).startsWith(hostname + ".").endsWith(".tern.internal");
        assertThat(texts(rest.get("groups"), "id")).contains(autoGroup);
        assertThat(login.getNetbirdConfig().getSignal().getUri()).isEqualTo("localhost:" + dataPath.signalPort());
        assertThat(login.getNetbirdConfig().getSignal().getProtocol()).isEqualTo(HostConfig.Protocol.HTTP);
        assertSignalServedAt(login.getNetbirdConfig().getSignal().getUri(), peer.publicKey());
        await().atMost(WAIT).until(() -> http.auditTotal() > auditBefore && http.setupKeyUsedTimes(key.id()) == 1);

        // Known peer: a later login needs no setup key and answers the same config, registering nothing new.
        int peersAfter = http.peerCount();
        LoginResponse again = peer.login("", hostname);
        assertThat(again.getPeerConfig()).isEqualTo(login.getPeerConfig());
        LoginResponse withKeyAgain = peer.login(key.plain(), hostname);
        assertThat(withKeyAgain.getPeerConfig()).isEqualTo(login.getPeerConfig());
        caughtUp();
        assertThat(http.peerCount()).isEqualTo(peersAfter);
        assertThat(http.setupKeyUsedTimes(key.id())).isEqualTo(1);
    }

    @Test
    void aNewPeersLoginDoesNotWaitForNetworkMapsButItsSyncDoes() throws Exception {
        SetupKey key = createSetupKey(List.of());
        TestPeer peer = newPeer();
        String hostname = unique("fresh");
        TrackingEventProcessor maps = processing.eventProcessorByProcessingGroup(
                NetworkMapEventHandler.PROCESSING_GROUP, TrackingEventProcessor.class).orElseThrow();
        LoginResponse login;
        TestPeer.SyncHandle sync;
        maps.shutDown();
        try {
            // with the projector stopped, Login still answers: the account has registered the device
            login = peer.login(key.plain(), hostname);
            assertThat(login.getPeerConfig().getFqdn()).startsWith(hostname + ".").endsWith(".tern.internal");
            assertThat(login.getPeerConfig().getAddress()).endsWith("/16");
            // a known-peer Login and the Sync find the peer too, and wait for its map
            CompletableFuture<LoginResponse> again = CompletableFuture.supplyAsync(() -> peer.login("", hostname));
            sync = peer.sync();
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(5))
                    .until(() -> !again.isDone() && sync.responses.isEmpty() && !sync.ended.isDone());
            maps.start();
            assertThat(again.get(WAIT.toSeconds(), TimeUnit.SECONDS).getPeerConfig()).isEqualTo(login.getPeerConfig());
        } finally {
            maps.start();
        }
        SyncResponse first = sync.next(WAIT);
        assertThat(first).as("first Sync message").isNotNull();
        assertThat(first.getNetworkMap().getPeerConfig()).as("the map agrees with what Login answered")
                .isEqualTo(login.getPeerConfig());
        assertThat(http.awaitPeerByName(hostname, WAIT).get("ip").asText() + "/16").isEqualTo(login.getPeerConfig().getAddress());
    }

    @Test
    void bodiesThatDoNotOpenAreInvalidArgumentAndRegisterNothing() {
        SetupKey key = createSetupKey(List.of());
        TestPeer peer = newPeer();
        int peersBefore = http.peerCount();
        long auditBefore = http.auditTotal();
        byte[] loginBytes = NetBirdLogin.request(key.plain(), unique("bad"), peer.publicKey()).toByteArray();

        EncryptedMessage garbage = EncryptedMessage.newBuilder().setWgPubKey(peer.publicKey())
                .setBody(ByteString.copyFrom(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41}))
                .build();
        EncryptedMessage sealedToAnotherKey = EncryptedMessage.newBuilder().setWgPubKey(peer.publicKey())
                .setBody(ByteString.copyFrom(NaclBox.seal(loginBytes, NaclBox.generateKeyPair().publicKey(),
                        peer.key.privateKey())))
                .build();
        EncryptedMessage claimsAnotherSender = EncryptedMessage.newBuilder()
                .setWgPubKey(NaclBox.generateKeyPair().publicKeyBase64())
                .setBody(peer.seal(NetBirdLogin.request(key.plain(), unique("bad"), peer.publicKey())).getBody())
                .build();
        EncryptedMessage notAKey = peer.seal(NetBirdLogin.request(key.plain(), unique("bad"), peer.publicKey()))
                .toBuilder().setWgPubKey("not-a-wireguard-key").build();
        EncryptedMessage empty = EncryptedMessage.newBuilder().setWgPubKey(peer.publicKey()).build();
        EncryptedMessage noHostname = peer.seal(NetBirdLogin.request(key.plain(), " ", peer.publicKey()));
        EncryptedMessage innerKeyDiffers = peer.seal(NetBirdLogin.request(key.plain(), unique("bad"),
                NaclBox.generateKeyPair().publicKeyBase64()));

        for (EncryptedMessage bad : List.of(garbage, sealedToAnotherKey, claimsAnotherSender, notAKey, empty,
                noHostname, innerKeyDiffers)) {
            assertThatThrownBy(() -> peer.blocking.login(bad))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .as(e.getStatus().toString()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        }
        caughtUp();
        assertThat(http.peerCount()).isEqualTo(peersBefore);
        assertThat(http.auditTotal()).isEqualTo(auditBefore);
        assertThat(http.setupKeyUsedTimes(key.id())).isZero();
    }

    @Test
    void revokedAndUnknownSetupKeysArePermissionDenied() {
        SetupKey key = createSetupKey(List.of());
        TestHttp.Response revoke = http.put("/api/setup-keys/" + key.id(), http.adminToken(),
                Map.of("revoked", true, "auto_groups", List.of()));
        assertThat(revoke.status()).as(revoke.toString()).isEqualTo(200);
        TestPeer peer = newPeer();
        int peersBefore = http.peerCount();
        long auditBefore = http.auditTotal();

        assertThatThrownBy(() -> peer.login(key.plain(), unique("revoked")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("revoked");
                });
        assertThatThrownBy(() -> peer.login("00000000-0000-0000-0000-000000000000", unique("unknown")))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("not found");
                });
        caughtUp();
        assertThat(http.peerCount()).isEqualTo(peersBefore);
        assertThat(http.auditTotal()).isEqualTo(auditBefore);
    }

    // ------------------------------------------------------------------ sync

    @Test
    void syncSendsTheMapFirstThenPushesChangesOnlyToAffectedPeers() throws Exception {
        SetupKey key = createSetupKey(List.of());
        TestPeer a = newPeer();
        TestPeer b = newPeer();
        TestPeer c = newPeer();
        String hostA = unique("a");
        String hostB = unique("b");
        String hostC = unique("c");
        LoginResponse loginA = a.login(key.plain(), hostA);
        LoginResponse loginB = b.login(key.plain(), hostB);
        c.login(key.plain(), hostC);
        String idA = http.awaitPeerByName(hostA, WAIT).get("id").asText();
        String idB = http.awaitPeerByName(hostB, WAIT).get("id").asText();
        String ipB = http.awaitPeerByName(hostB, WAIT).get("ip").asText();

        TestPeer.SyncHandle syncA = a.sync();
        TestPeer.SyncHandle syncB = b.sync();
        TestPeer.SyncHandle syncC = c.sync();
        SyncResponse firstA = syncA.next(WAIT);
        assertThat(firstA).as("first map of A").isNotNull();
        assertThat(syncB.next(WAIT)).as("first map of B").isNotNull();
        assertThat(syncC.next(WAIT)).as("first map of C").isNotNull();
        NetworkMap mapA = firstA.getNetworkMap();
        assertThat(mapA.getSerial()).isPositive();
        assertThat(mapA.getPeerConfig()).isEqualTo(loginA.getPeerConfig());
        assertThat(firstA.getPeerConfig()).isEqualTo(loginA.getPeerConfig());
        assertThat(firstA.getNetbirdConfig().getSignal().getUri()).isEqualTo("localhost:" + dataPath.signalPort());
        assertThat(mapA.getDNSConfig().getServiceEnable()).isTrue();
        assertThat(mapA.getDNSConfig().getCustomZones(0).getDomain()).isEqualTo("tern.internal.");
        assertThat(recordNames(mapA)).contains(loginA.getPeerConfig().getFqdn() + ".");
        assertThat(remoteKeys(mapA)).doesNotContain(b.publicKey());

        // While the stream is open the peer is connected, seen just now, from the loopback address.
        await().atMost(WAIT).untilAsserted(() -> {
            JsonNode restA = peer(idA);
            assertThat(restA.get("connected").asBoolean()).isTrue();
            assertThat(restA.get("connection_ip").asText()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
            assertThat(java.time.OffsetDateTime.parse(restA.get("last_seen").asText()).toInstant()).isAfter(Instant.now().minusSeconds(60));
        });

        // A group {A, B} and a policy between its members change A's and B's maps, not C's.
        String pair = createGroup(unique("pair"), List.of(idA, idB));
        createPolicy(unique("pair-policy"), pair, pair);

        NetworkMap withB = nextMatching(syncA, mapA.getSerial(), m -> remoteKeys(m).contains(b.publicKey()));
        RemotePeerConfig remoteB = withB.getRemotePeersList().stream()
                .filter(r -> r.getWgPubKey().equals(b.publicKey())).findFirst().orElseThrow();
        assertThat(remoteB.getAllowedIpsList()).containsExactly(ipB + "/32");
        assertThat(remoteB.getFqdn()).isEqualTo(loginB.getPeerConfig().getFqdn());
        assertThat(withB.getRemotePeersIsEmpty()).isFalse();
        assertThat(withB.getFirewallRulesIsEmpty()).isFalse();
        assertThat(withB.getFirewallRulesList()).filteredOn(r -> r.getPeerIP().equals(ipB))
                .extracting(FirewallRule::getDirection, FirewallRule::getAction, FirewallRule::getProtocol)
                .contains(org.assertj.core.groups.Tuple.tuple(RuleDirection.IN, RuleAction.ACCEPT, RuleProtocol.ALL),
                        org.assertj.core.groups.Tuple.tuple(RuleDirection.OUT, RuleAction.ACCEPT, RuleProtocol.ALL));
        assertThat(recordNames(withB)).contains(loginB.getPeerConfig().getFqdn() + ".");
        nextMatching(syncB, 0, m -> remoteKeys(m).contains(a.publicKey()));
        // The projector publishes all maps one event changes together; C's would be here by now.
        assertThat(syncC.next(Duration.ofMillis(500))).as("C is not affected").isNull();

        // Cancelling the stream disconnects the peer.
        syncA.cancel();
        await().atMost(WAIT).untilAsserted(() -> assertThat(peer(idA).get("connected").asBoolean()).isFalse());

        // Deleting a peer over REST ends its stream.
        TestHttp.Response deleted = http.delete("/api/peers/" + idB, http.adminToken());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        Status endB = syncB.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(endB.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(b.sync().ended.get(WAIT.toSeconds(), TimeUnit.SECONDS).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThatThrownBy(() -> b.login("", hostB)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    }

    @Test
    void logoutClosesThePeersStreamsAndSyncMetaAuthenticates() throws Exception {
        SetupKey key = createSetupKey(List.of());
        TestPeer peer = newPeer();
        String host = unique("leaving");
        peer.login(key.plain(), host);
        String id = http.awaitPeerByName(host, WAIT).get("id").asText();
        TestPeer.SyncHandle sync = peer.sync();
        assertThat(sync.next(WAIT)).isNotNull();
        await().atMost(WAIT).untilAsserted(() -> assertThat(peer(id).get("connected").asBoolean()).isTrue());

        peer.blocking.syncMeta(peer.seal(SyncMetaRequest.getDefaultInstance()));
        peer.blocking.logout(peer.seal(Empty.getDefaultInstance()));

        assertThat(sync.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
        await().atMost(WAIT).untilAsserted(() -> assertThat(peer(id).get("connected").asBoolean()).isFalse());
    }

    @Test
    void unknownPeersCannotSyncOrSyncMetaOrLogout() throws Exception {
        TestPeer stranger = newPeer();
        TestPeer.SyncHandle sync = stranger.sync();
        assertThat(sync.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS).getCode())
                .isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(sync.responses).isEmpty();
        assertThatThrownBy(() -> stranger.blocking.syncMeta(stranger.seal(SyncMetaRequest.getDefaultInstance())))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        assertThatThrownBy(() -> stranger.blocking.logout(stranger.seal(Empty.getDefaultInstance())))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        // A sync body that does not open is a client error, not a missing permission.
        EncryptedMessage garbage = EncryptedMessages.seal(Empty.getDefaultInstance(), stranger.key,
                NaclBox.generateKeyPair().publicKey());
        assertThatThrownBy(() -> stranger.blocking.syncMeta(garbage))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }

    // ------------------------------------------------------------------ helpers

    private static NetworkMap nextMatching(TestPeer.SyncHandle sync, long previousSerial, Predicate<NetworkMap> wanted)
            throws InterruptedException {
        return sync.nextMatching(previousSerial, wanted, WAIT);
    }

    /** The handed-out address answers NetBird's signal health probe (a Send to "dummy"). */
    private static void assertSignalServedAt(String hostPort, String senderKey) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forTarget(hostPort).usePlaintext().build();
        try {
            SignalExchangeGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .send(dev.tern.protocol.signal.EncryptedMessage.newBuilder()
                            .setKey(senderKey).setRemoteKey("dummy").build());
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> remoteKeys(NetworkMap map) {
        return map.getRemotePeersList().stream().map(RemotePeerConfig::getWgPubKey).toList();
    }

    private static List<String> recordNames(NetworkMap map) {
        return map.getDNSConfig().getCustomZones(0).getRecordsList().stream().map(SimpleRecord::getName).toList();
    }

    record SetupKey(String plain, String id) {
    }

    private SetupKey createSetupKey(List<String> autoGroups) {
        TestHttp.Response r = http.post("/api/setup-keys", http.adminToken(), Map.of("name", unique("key"),
                "type", "reusable", "expires_in", 86400, "auto_groups", autoGroups, "usage_limit", 0));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return new SetupKey(r.json().get("key").asText(), r.json().get("id").asText());
    }

    private String createGroup(String name, List<String> peerIds) {
        TestHttp.Response r = http.post("/api/groups", http.adminToken(), Map.of("name", name, "peers", peerIds));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("id").asText();
    }

    private void createPolicy(String name, String sourceGroup, String destinationGroup) {
        Map<String, Object> rule = Map.of("name", name + "-rule", "enabled", true, "action", "accept",
                "bidirectional", true, "protocol", "all", "sources", List.of(sourceGroup),
                "destinations", List.of(destinationGroup));
        TestHttp.Response r = http.post("/api/policies", http.adminToken(),
                Map.of("name", name, "enabled", true, "rules", List.of(rule)));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    private JsonNode peer(String id) {
        TestHttp.Response r = http.get("/api/peers/" + id, http.adminToken());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** Logins do not wait for the read model; before asserting that nothing changed, let it catch up. */
    private void caughtUp() {
        assertThat(readYourWrites.awaitCaughtUp(WAIT)).as("read model caught up").isTrue();
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    private static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }
}

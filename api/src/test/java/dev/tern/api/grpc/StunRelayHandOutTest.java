package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import static org.awaitility.Awaitility.await;

import dev.tern.api.datapath.EmbeddedDataPathNode;
import dev.tern.api.datapath.HandOutProbe;
import dev.tern.api.datapath.PeerDataPathConfig;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.web.ApiTestSupport;
import dev.tern.events.commands.ExpirePeerLogin;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.PeerExpiry;
import dev.tern.api.support.TestHttp;
import dev.tern.protocol.management.HostConfig;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.RelayConfig;
import dev.tern.protocol.management.SyncResponse;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayFrame;
import dev.tern.protocol.relay.RelayToken;
import dev.tern.protocol.relay.RelayTokens;
import dev.tern.testsupport.relay.RelayTestClient;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The shared test server hands out its in-process STUN service and relay, and both answer where they are handed
 * out: a STUN Binding request gets its response, a NetBird-style relay client gets in with the handed-out token and
 * not with a forged one.
 */
@TernIntegrationTest
class StunRelayHandOutTest extends ApiTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    ManagementGrpcServer grpcServer;
    @Autowired
    EmbeddedDataPathNode dataPath;
    @Autowired
    PeerDataPathConfig handOut;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    @Test
    void loginAndSyncHandOutStunAndRelayWithAFreshTokenForThePeerThatTheRelayAccepts() throws Exception {
        TestPeer peer = new TestPeer(grpcServer.port());
        resources.add(peer);
        Instant before = Instant.now();

        LoginResponse login = peer.login(setupKey(), "stun-relay-" + UUID.randomUUID().toString().substring(0, 8));

        // The peer reached management as "localhost": STUN and relay are handed out at that host too.
        assertThat(login.getNetbirdConfig().getStunsList()).containsExactly(HostConfig.newBuilder()
                .setUri("stun:localhost:" + dataPath.stunPort())
                .setProtocol(HostConfig.Protocol.UDP).build());
        RelayConfig relay = login.getNetbirdConfig().getRelay();
        assertThat(relay.getUrlsList()).containsExactly("rel://localhost:" + dataPath.relayPort());
        RelayToken token = new RelayToken(relay.getTokenPayload(), relay.getTokenSignature());
        // Checked with a verifier of our own over the server's secret, not with the server's own object.
        RelayTokens verifier = RelayTokens.fromSharedSecret(HandOutProbe.relaySecret(dataPath), Clock.systemUTC());
        PeerId own = PeerId.ofPublicKey(peer.publicKey());
        // Bound to this peer's relay id, and living the configured lifetime (1 h by default).
        assertThat(verifier.verify(token, own)).isBetween(before.plus(handOut.tokenLifetime()).minusSeconds(1),
                Instant.now().plus(handOut.tokenLifetime()));

        assertThat(authenticateAtRelay(relay.getUrls(0), own, token)).isInstanceOf(RelayFrame.AuthResponse.class);
        byte[] forgedSignature = Base64.getDecoder().decode(token.signatureBase64());
        forgedSignature[0] ^= 1;
        RelayToken forged = new RelayToken(token.payload(), Base64.getEncoder().encodeToString(forgedSignature));
        assertThat(authenticateAtRelay(relay.getUrls(0), own, forged)).as("answer to a forged token").isNull();

        assertStunAnswersAt(login.getNetbirdConfig().getStuns(0).getUri());

        // Sync hands out the same places, with a token of its own that verifies as well.
        SyncResponse sync = peer.sync().next(WAIT);
        assertThat(sync).as("first sync response").isNotNull();
        assertThat(sync.getNetbirdConfig().getStunsList()).isEqualTo(login.getNetbirdConfig().getStunsList());
        RelayConfig syncRelay = sync.getNetbirdConfig().getRelay();
        assertThat(syncRelay.getUrlsList()).isEqualTo(relay.getUrlsList());
        assertThatCode(() -> verifier.verify(new RelayToken(syncRelay.getTokenPayload(), syncRelay.getTokenSignature()),
                own)).doesNotThrowAnyException();
    }

    @Test
    void aTokenAdmitsOnlyThePeerItWasIssuedForAndADeletedPeerLosesItsRelaySession() throws Exception {
        TestPeer peer = new TestPeer(grpcServer.port());
        resources.add(peer);
        String hostname = "relay-bound-" + UUID.randomUUID().toString().substring(0, 8);
        RelayConfig relay = peer.login(setupKey(), hostname).getNetbirdConfig().getRelay();
        RelayToken token = new RelayToken(relay.getTokenPayload(), relay.getTokenSignature());
        PeerId own = PeerId.ofPublicKey(peer.publicKey());
        PeerId someoneElse = PeerId.ofPublicKey(Base64.getEncoder().encodeToString(new byte[32]));

        assertThat(authenticateAtRelay(relay.getUrls(0), someoneElse, token)).as("another peer id, same token")
                .isNull();
        RelayTestClient session = connectToRelay(relay.getUrls(0), own, token);
        assertThat(session.nextOrNullWhenClosed(WAIT)).isInstanceOf(RelayFrame.AuthResponse.class);
        assertThat(HandOutProbe.relayHasSession(dataPath, new dev.tern.events.values.WireGuardKey(peer.publicKey())))
                .isTrue();

        String peerId = peerIdByName(hostname);
        TestHttp.Response deleted = http.delete("/api/peers/" + peerId, http.adminToken());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);

        session.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(authenticateAtRelay(relay.getUrls(0), own, token)).as("the deleted peer's unexpired token")
                .isNull();
    }

    @Test
    void aPeerWhoseLoginExpiredLosesItsRelaySessionAndTokensUntilItLogsInAgain() throws Exception {
        OtherAccount account = otherAccount();
        CreatedKey key = createSetupKey(account.token(), "reusable", 0, List.of());
        TestPeer peer = new TestPeer(grpcServer.port());
        resources.add(peer);
        String hostname = unique("relay-expiry");
        RelayConfig relay = peer.login(key.key(), hostname).getNetbirdConfig().getRelay();
        RelayToken token = new RelayToken(relay.getTokenPayload(), relay.getTokenSignature());
        PeerId own = PeerId.ofPublicKey(peer.publicKey());
        RelayTestClient session = connectToRelay(relay.getUrls(0), own, token);
        assertThat(session.nextOrNullWhenClosed(WAIT)).isInstanceOf(RelayFrame.AuthResponse.class);

        String peerId = peerIdByName(account.token(), hostname);
        TestHttp.Response flagged = http.put("/api/peers/" + peerId, account.token(), Map.of("name", hostname,
                "ssh_enabled", false, "login_expiration_enabled", true, "inactivity_expiration_enabled", false));
        assertThat(flagged.status()).as(flagged.toString()).isEqualTo(200);
        // Expire it as the sweeper would a day and an hour from now (the account decides with the event clock).
        Clock original = GenericEventMessage.clock;
        GenericEventMessage.clock = Clock.offset(Clock.systemUTC(), Duration.ofHours(25));
        try {
            Boolean expired = gateway.sendAndWait(GenericCommandMessage.asCommandMessage(
                    new ExpirePeerLogin(account.accountId(), peerId, PeerExpiry.LOGIN))
                    .andMetaData(MetaData.from(Actor.SYSTEM.toMetadata())));
            assertThat(expired).as("expired").isTrue();
        } finally {
            GenericEventMessage.clock = original;
        }

        session.closed().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(authenticateAtRelay(relay.getUrls(0), own, token)).as("the expired peer's unexpired token")
                .isNull();

        // Logging in again with the setup key renews the login, and the token handed out then is accepted.
        RelayConfig renewed = peer.login(key.key(), hostname).getNetbirdConfig().getRelay();
        assertThat(authenticateAtRelay(renewed.getUrls(0), own,
                new RelayToken(renewed.getTokenPayload(), renewed.getTokenSignature())))
                .isInstanceOf(RelayFrame.AuthResponse.class);
    }

    private String peerIdByName(String token, String name) {
        String[] found = new String[1];
        // Login does not wait for the REST read model
        await().atMost(WAIT).until(() -> {
            for (var p : http.get("/api/peers", token).json()) {
                if (name.equals(p.get("name").asText())) {
                    found[0] = p.get("id").asText();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private String peerIdByName(String name) {
        return peerIdByName(http.adminToken(), name);
    }

    private String setupKey() {
        TestHttp.Response r = http.post("/api/setup-keys", http.adminToken(), Map.of("name",
                "stun-relay-" + UUID.randomUUID(), "type", "reusable", "expires_in", 86400, "auto_groups", List.of(),
                "usage_limit", 0));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get("key").asText();
    }

    /**
     * Connects as NetBird's relay client does ({@code rel://} is WebSocket at {@code /relay}) and sends Auth.
     *
     * @return the relay's first answer, or null when it closed the connection without one
     */
    private RelayFrame authenticateAtRelay(String relayUrl, PeerId peerId, RelayToken token) throws Exception {
        try (RelayTestClient client = RelayTestClient.authenticate(relayUrl, peerId, token.marshal())) {
            return client.nextOrNullWhenClosed(WAIT);
        }
    }

    /** Connects and sends Auth; the session stays open until the test ends. */
    private RelayTestClient connectToRelay(String relayUrl, PeerId peerId, RelayToken token) throws Exception {
        RelayTestClient client = RelayTestClient.authenticate(relayUrl, peerId, token.marshal());
        resources.add(client);
        return client;
    }

    private static void assertStunAnswersAt(String stunUri) throws Exception {
        URI hostPort = URI.create("stun://" + URI.create(stunUri).getSchemeSpecificPart());
        InetAddress server = InetAddress.getByName(hostPort.getHost());
        try (DatagramSocket client = new DatagramSocket()) {
            client.setSoTimeout(5000);
            byte[] transactionId = "tern-stun-it".getBytes();
            // RFC 5389 Binding request: type 0x0001, no attributes, magic cookie, transaction id.
            ByteBuffer request = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0)
                    .putInt(0x2112A442).put(transactionId);
            client.send(new DatagramPacket(request.array(), 20, server, hostPort.getPort()));

            DatagramPacket reply = new DatagramPacket(new byte[512], 512);
            client.receive(reply);
            ByteBuffer in = ByteBuffer.wrap(reply.getData(), 0, reply.getLength());
            assertThat(in.getShort() & 0xffff).as("Binding success response").isEqualTo(0x0101);
            in.getShort();
            assertThat(in.getInt()).isEqualTo(0x2112A442);
            byte[] echoed = new byte[12];
            in.get(echoed);
            assertThat(echoed).isEqualTo(transactionId);
            assertThat(in.getShort() & 0xffff).as("XOR-MAPPED-ADDRESS").isEqualTo(0x0020);
        }
    }
}

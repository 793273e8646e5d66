package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.api.web.ApiTestSupport;
import dev.tern.events.commands.ExpirePeerLogin;
import dev.tern.events.meta.Actor;
import dev.tern.events.values.PeerExpiry;
import dev.tern.projector.NetworkMapEventHandler;
import dev.tern.protocol.management.LoginResponse;
import dev.tern.protocol.management.NetworkMap;
import dev.tern.protocol.management.RemotePeerConfig;
import dev.tern.protocol.management.SimpleRecord;
import dev.tern.protocol.management.SyncResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Login expiration on the device API, on the shared test server: each test has an account of its own (NetBird's
 * defaults: login expiration on, after 24 h) in which two peers see each other through an All-to-All policy, and
 * expires a peer the way the sweeper does, with the account's clock a day and an hour ahead.
 */
@TernIntegrationTest
class PeerLoginExpiryGrpcTest extends ApiTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String EXPIRED_TEXT = "peer login has expired, please log in once more";

    @Autowired
    ManagementGrpcServer grpcServer;
    @Autowired
    EventProcessingConfiguration processing;

    /** Every peer a test opens, closed after it. */
    @RegisterExtension
    final TestPeer.Fleet fleet = new TestPeer.Fleet();

    /** An account of its own with two logged-in peers A and B that see each other. */
    private record Mesh(OtherAccount account, CreatedKey key, TestPeer a, TestPeer b, String hostB, String idB,
                        String fqdnB) {
    }

    private Mesh mesh() {
        OtherAccount account = otherAccount();
        CreatedKey key = createSetupKey(account.token(), "reusable", 0, List.of());
        String all = groupId(account.token(), "All");
        TestHttp.Response policy = http.post("/api/policies", account.token(), Map.of("name", unique("all"),
                "enabled", true, "rules", List.of(Map.of("name", "all", "enabled", true, "action", "accept",
                        "bidirectional", true, "protocol", "all", "sources", List.of(all),
                        "destinations", List.of(all)))));
        assertThat(policy.status()).as(policy.toString()).isEqualTo(200);
        TestPeer a = newPeer();
        TestPeer b = newPeer();
        String hostB = unique("b");
        a.login(key.key(), unique("a"));
        LoginResponse loginB = b.login(key.key(), hostB);
        String idB = peerId(account.token(), hostB);
        return new Mesh(account, key, a, b, hostB, idB, loginB.getPeerConfig().getFqdn());
    }

    @Test
    void anExpiredPeerGoesOfflineForOthersLosesItsStreamAndComesBackWithItsSetupKey() throws Exception {
        Mesh mesh = mesh();
        TestPeer.SyncHandle syncA = mesh.a().sync();
        TestPeer.SyncHandle syncB = mesh.b().sync();
        NetworkMap withB = syncA.nextMatching(0, m -> remoteKeys(m).contains(mesh.b().publicKey()), WAIT);
        assertThat(syncB.next(WAIT)).as("B's first map").isNotNull();
        await().atMost(WAIT).until(() -> peer(mesh, mesh.idB()).get("connected").asBoolean());

        expire(mesh);

        NetworkMap withoutB = syncA.nextMatching(withB.getSerial(),
                m -> offlineKeys(m).contains(mesh.b().publicKey()), WAIT);
        assertThat(remoteKeys(withoutB)).doesNotContain(mesh.b().publicKey());
        RemotePeerConfig offlineB = withoutB.getOfflinePeers(0);
        assertThat(offlineB.getFqdn()).isEqualTo(mesh.fqdnB());
        assertThat(offlineB.getAllowedIpsList()).containsExactly(peer(mesh, mesh.idB()).get("ip").asText() + "/32");
        assertThat(withoutB.getDNSConfig().getCustomZones(0).getRecordsList()).extracting(SimpleRecord::getName)
                .as("B's name still resolves").contains(mesh.fqdnB() + ".");
        assertThat(withoutB.getFirewallRulesList()).as("rules towards any peer stay").isNotEmpty();

        Status endB = syncB.ended.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertExpired(endB);
        await().atMost(WAIT).untilAsserted(() ->
                assertThat(peer(mesh, mesh.idB()).get("connected").asBoolean()).isFalse());
        assertExpired(mesh.b().sync().ended.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertThatThrownBy(() -> mesh.b().login("", mesh.hostB())).isInstanceOfSatisfying(
                StatusRuntimeException.class, e -> assertExpired(e.getStatus()));

        // Login with the key answers only once the projector shows the renewal: hold the projector back to see it wait
        TrackingEventProcessor maps = processing.eventProcessorByProcessingGroup(
                NetworkMapEventHandler.PROCESSING_GROUP, TrackingEventProcessor.class).orElseThrow();
        LoginResponse again;
        maps.shutDown();
        try {
            CompletableFuture<LoginResponse> login = CompletableFuture.supplyAsync(
                    () -> mesh.b().login(mesh.key().key(), mesh.hostB()));
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> !login.isDone());
            maps.start();
            again = login.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            maps.start();
        }

        assertThat(again.getPeerConfig().getFqdn()).isEqualTo(mesh.fqdnB());
        NetworkMap back = syncA.nextMatching(withoutB.getSerial(),
                m -> remoteKeys(m).contains(mesh.b().publicKey()), WAIT);
        assertThat(back.getOfflinePeersList()).isEmpty();
        // the renewal is visible as soon as Login answers: B's Sync opens at once
        TestPeer.SyncHandle resumed = mesh.b().sync();
        SyncResponse first = resumed.next(WAIT);
        assertThat(first).as("B syncs again").isNotNull();
        assertThat(remoteKeys(first.getNetworkMap())).contains(mesh.a().publicKey());
        assertThat(mesh.b().login("", mesh.hostB()).getPeerConfig()).isEqualTo(again.getPeerConfig());
        assertThat(peer(mesh, mesh.idB()).get("login_expired").asBoolean()).isFalse();
        // the renewal is the device's own act: the audit names B as its initiator
        await().atMost(WAIT).untilAsserted(() -> {
            TestHttp.Response audit = http.get("/api/events/audit?activity_code=user.peer.login&target_id="
                    + mesh.idB(), mesh.account().token());
            assertThat(audit.status()).as(audit.toString()).isEqualTo(200);
            JsonNode entries = audit.json();
            assertThat(entries).hasSize(1);
            assertThat(entries.get(0).get("initiator_id").asText()).isEqualTo(mesh.idB());
        });
    }

    @Test
    void aRevokedKeyDoesNotRenewAnExpiredPeerAndChangesNothing() throws Exception {
        Mesh mesh = mesh();
        expire(mesh);
        TestHttp.Response revoke = http.put("/api/setup-keys/" + mesh.key().id(), mesh.account().token(),
                Map.of("revoked", true, "auto_groups", List.of()));
        assertThat(revoke.status()).as(revoke.toString()).isEqualTo(200);
        caughtUp();
        long auditBefore = auditTotal(mesh.account().token());

        assertThatThrownBy(() -> mesh.b().login(mesh.key().key(), mesh.hostB())).isInstanceOfSatisfying(
                StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("revoked");
                });

        assertThatThrownBy(() -> mesh.b().login("", mesh.hostB())).isInstanceOfSatisfying(
                StatusRuntimeException.class, e -> assertExpired(e.getStatus()));
        SyncResponse mapOfA = mesh.a().sync().next(WAIT);
        assertThat(mapOfA).isNotNull();
        assertThat(offlineKeys(mapOfA.getNetworkMap())).containsExactly(mesh.b().publicKey());
        assertThat(remoteKeys(mapOfA.getNetworkMap())).doesNotContain(mesh.b().publicKey());
        caughtUp();
        assertThat(auditTotal(mesh.account().token())).isEqualTo(auditBefore);
        assertThat(peer(mesh, mesh.idB()).get("login_expired").asBoolean()).isTrue();
    }

    @Test
    void anotherAccountsKeyRegistersAKnownPeerNowhereAndDoesNotRenewIt() {
        Mesh mesh = mesh();
        OtherAccount elsewhere = otherAccount();
        CreatedKey foreignKey = createSetupKey(elsewhere.token(), "reusable", 0, List.of());

        // a known peer's key is ignored while its login holds, as NetBird does
        assertThat(mesh.b().login(foreignKey.key(), mesh.hostB()).getPeerConfig().getFqdn()).isEqualTo(mesh.fqdnB());
        expire(mesh);
        assertThatThrownBy(() -> mesh.b().login(foreignKey.key(), mesh.hostB())).isInstanceOfSatisfying(
                StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).isEqualTo("setup key not found");
                });
        caughtUp();
        TestHttp.Response peersElsewhere = http.get("/api/peers", elsewhere.token());
        assertThat(peersElsewhere.json().size()).as(peersElsewhere.toString()).isZero();
        assertThat(peer(mesh, mesh.idB()).get("login_expired").asBoolean()).isTrue();
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Turns on B's own login expiration and expires it as the sweeper would, a day and an hour from now: the
     * account decides with {@link GenericEventMessage#clock}. Returns once the device API sees B expired.
     */
    private void expire(Mesh mesh) {
        String token = mesh.account().token();
        TestHttp.Response flagged = http.put("/api/peers/" + mesh.idB(), token, Map.of("name", mesh.hostB(),
                "ssh_enabled", false, "login_expiration_enabled", true, "inactivity_expiration_enabled", false));
        assertThat(flagged.status()).as(flagged.toString()).isEqualTo(200);
        Clock original = GenericEventMessage.clock;
        GenericEventMessage.clock = Clock.offset(Clock.systemUTC(), Duration.ofHours(25));
        try {
            Boolean expired = gateway.sendAndWait(GenericCommandMessage.asCommandMessage(
                    new ExpirePeerLogin(mesh.account().accountId(), mesh.idB(), PeerExpiry.LOGIN))
                    .andMetaData(MetaData.from(Actor.SYSTEM.toMetadata())));
            assertThat(expired).as("B expired").isTrue();
        } finally {
            GenericEventMessage.clock = original;
        }
        // the device API answers from the network maps, which follow the event a moment later
        await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(() -> mesh.b().login("", mesh.hostB()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertExpired(e.getStatus())));
    }

    private TestPeer newPeer() {
        return fleet.newPeer(grpcServer.port());
    }

    private static void assertExpired(Status status) {
        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(status.getDescription()).isEqualTo(EXPIRED_TEXT);
    }

    private String groupId(String token, String name) {
        for (JsonNode group : http.get("/api/groups", token).json()) {
            if (group.get("name").asText().equals(name)) {
                return group.get("id").asText();
            }
        }
        throw new AssertionError("no group " + name);
    }

    /** The peer's id from /api/peers; Login does not wait for the REST read model, so allow it to catch up. */
    private String peerId(String token, String name) {
        String[] found = new String[1];
        await().atMost(WAIT).until(() -> {
            for (JsonNode p : http.get("/api/peers", token).json()) {
                if (p.get("name").asText().equals(name)) {
                    found[0] = p.get("id").asText();
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private JsonNode peer(Mesh mesh, String id) {
        caughtUp();
        TestHttp.Response r = http.get("/api/peers/" + id, mesh.account().token());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private void caughtUp() {
        assertThat(readYourWrites.awaitCaughtUp(WAIT)).as("read model caught up").isTrue();
    }

    private static List<String> remoteKeys(NetworkMap map) {
        return map.getRemotePeersList().stream().map(RemotePeerConfig::getWgPubKey).toList();
    }

    private static List<String> offlineKeys(NetworkMap map) {
        return map.getOfflinePeersList().stream().map(RemotePeerConfig::getWgPubKey).toList();
    }
}

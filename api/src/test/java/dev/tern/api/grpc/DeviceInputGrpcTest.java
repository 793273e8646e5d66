package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import dev.tern.api.support.TernIntegrationTest;
import dev.tern.api.support.TestHttp;
import dev.tern.protocol.crypto.NaclBox;
import dev.tern.protocol.management.EncryptedMessage;
import dev.tern.protocol.management.LoginRequest;
import dev.tern.protocol.management.PeerKeys;
import dev.tern.protocol.management.PeerSystemMeta;
import dev.tern.query.ReadYourWrites;
import dev.tern.testsupport.peer.NetBirdLogin;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Strings a device sends in its Login are checked at the edge, before the account sees them: a peer whose hostname
 * holds a NUL used to be registered and put into other peers' maps while the read model failed on it, so the peer
 * never showed in {@code GET /api/peers}, could not be deleted and its setup key's count was wrong.
 */
@TernIntegrationTest
class DeviceInputGrpcTest {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Autowired
    TestHttp http;
    @Autowired
    ManagementGrpcServer grpcServer;
    @Autowired
    ReadYourWrites readYourWrites;

    /** Every peer a test opens, closed after it. */
    @RegisterExtension
    final TestPeer.Fleet fleet = new TestPeer.Fleet();

    @Test
    void aHostnameWithControlCharactersIsRefusedAndEveryRegisteredPeerShowsInRest() {
        String keyId = createSetupKey();
        String plainKey = setupKeyPlain.get(keyId);
        int peersBefore = http.peerCount();
        long auditBefore = http.auditTotal();

        List<String> badHostnames = List.of("nul\u0000host", "two\nlines", "bell\u0007", "esc\u001B[31m",
                "rtl\u202Eexe.txt", "x".repeat(256));
        for (String hostname : badHostnames) {
            TestPeer peer = fleet.newPeer(grpcServer.port());
            assertThatThrownBy(() -> peer.login(plainKey, hostname))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).as(e.getStatus().toString())
                                .isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).contains("meta.hostname");
                    });
            // refused at the edge: the peer is not registered anywhere, so its Sync is refused too
            assertThat(peer.sync().ended.join().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
        }
        caughtUp();
        assertThat(http.peerCount()).isEqualTo(peersBefore);
        assertThat(http.auditTotal()).isEqualTo(auditBefore);
        assertThat(http.setupKeyUsedTimes(keyId)).isZero();

        // Two good peers in the same account: both show in REST and the key counts both.
        String first = unique("good");
        String second = unique("good");
        fleet.newPeer(grpcServer.port()).login(plainKey, first);
        fleet.newPeer(grpcServer.port()).login(plainKey, second);
        assertThat(http.awaitPeerByName(first, WAIT)).isNotNull();
        assertThat(http.awaitPeerByName(second, WAIT)).isNotNull();
        await().atMost(WAIT).until(() -> http.setupKeyUsedTimes(keyId) == 2);
        caughtUp();
        assertThat(http.peerCount()).isEqualTo(peersBefore + 2);
    }

    @Test
    void optionalMetadataWithControlCharactersOrHugeValuesIsCleanedAndThePeerShowsInRest() {
        String keyId = createSetupKey();
        String hostname = unique("meta");
        TestPeer peer = fleet.newPeer(grpcServer.port());
        // What real machines report: NUL-padded DMI serials, a trailing newline from a command's output, and one
        // absurdly long OS string.
        LoginRequest login = withMeta(NetBirdLogin.request(setupKeyPlain.get(keyId), hostname, peer.publicKey()),
                meta -> meta.setSysSerialNumber("SN-42\u0000\u0000\u0000").setKernelVersion("6.1.0-18-amd64\n")
                        .setOS("Debian GNU/Linux " + "x".repeat(10_000)).setOSVersion("12\u0000")
                        .setUiVersion("\u001B[2Jui"));

        peer.blocking.login(peer.seal(login));

        JsonNode rest = http.awaitPeerByName(hostname, WAIT);
        assertThat(rest).as("the peer shows in GET /api/peers").isNotNull();
        assertThat(rest.get("os").asText()).doesNotContain("\u0000").hasSizeLessThan(600)
                .startsWith("Debian GNU/Linux xxx");
        assertThat(rest.get("kernel_version").asText()).isEqualTo("6.1.0-18-amd64");
        assertThat(rest.get("serial_number").asText()).isEqualTo("SN-42");
        assertThat(rest.get("ui_version").asText()).isEqualTo("[2Jui");
        await().atMost(WAIT).until(() -> http.setupKeyUsedTimes(keyId) == 1);
        // and it can be deleted through REST, which was impossible for a peer the read model had skipped
        TestHttp.Response deleted = http.delete("/api/peers/" + rest.get("id").asText(), http.adminToken());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
    }

    @Test
    void invalidUtf8OverlongSecretsAndOversizedListsAreRefusedBeforeAnythingIsRegistered() throws IOException {
        String keyId = createSetupKey();
        String plainKey = setupKeyPlain.get(keyId);
        TestPeer peer = fleet.newPeer(grpcServer.port());
        int peersBefore = http.peerCount();

        // A hostname that is not UTF-8: protobuf refuses to parse the body.
        EncryptedMessage notUtf8 = EncryptedMessage.newBuilder().setWgPubKey(peer.publicKey())
                .setBody(ByteString.copyFrom(NaclBox.seal(loginWithRawHostname(plainKey, new byte[]{'a', (byte) 0xFF,
                        (byte) 0xFE, 'b'}), peer.serverKey, peer.key.privateKey())))
                .build();
        List<EncryptedMessage> bad = List.of(notUtf8,
                peer.seal(NetBirdLogin.request("k".repeat(LoginInput.MAX_SETUP_KEY + 1), unique("x"),
                        peer.publicKey())),
                peer.seal(NetBirdLogin.request(plainKey + "\u0000", unique("x"), peer.publicKey())),
                peer.seal(NetBirdLogin.request(plainKey, unique("x"), peer.publicKey()).toBuilder()
                        .addAllDnsLabels(java.util.Collections.nCopies(LoginInput.MAX_DNS_LABELS + 1, "a")).build()),
                peer.seal(NetBirdLogin.request(plainKey, unique("x"), peer.publicKey()).toBuilder()
                        .addDnsLabels("evil\u0000label").build()),
                peer.seal(NetBirdLogin.request(plainKey, unique("x"), peer.publicKey()).toBuilder()
                        .setPeerKeys(PeerKeys.newBuilder()
                                .setWgPubKey(ByteString.copyFrom(peer.publicKey(), StandardCharsets.UTF_8))
                                .setSshPubKey(ByteString.copyFrom(new byte[LoginInput.MAX_SSH_KEY + 1]))).build()));
        for (EncryptedMessage message : bad) {
            assertThatThrownBy(() -> peer.blocking.login(message))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).as(e.getStatus().toString())
                                .isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(e.getStatus().getDescription()).doesNotContain(plainKey);
                    });
        }
        caughtUp();
        assertThat(http.peerCount()).isEqualTo(peersBefore);
        assertThat(http.setupKeyUsedTimes(keyId)).isZero();
    }

    // ------------------------------------------------------------------ helpers

    /** A LoginRequest whose meta.hostname carries the given bytes as they are (even when not UTF-8). */
    private static byte[] loginWithRawHostname(String setupKey, byte[] hostname) throws IOException {
        ByteArrayOutputStream metaBytes = new ByteArrayOutputStream();
        CodedOutputStream meta = CodedOutputStream.newInstance(metaBytes);
        meta.writeByteArray(1, hostname); // PeerSystemMeta.hostname, wire type 2 like a string
        meta.flush();
        ByteArrayOutputStream loginBytes = new ByteArrayOutputStream();
        CodedOutputStream login = CodedOutputStream.newInstance(loginBytes);
        login.writeString(1, setupKey);
        login.writeByteArray(2, metaBytes.toByteArray()); // LoginRequest.meta
        login.flush();
        return loginBytes.toByteArray();
    }

    private static LoginRequest withMeta(LoginRequest login, UnaryOperator<PeerSystemMeta.Builder> change) {
        return login.toBuilder().setMeta(change.apply(login.getMeta().toBuilder())).build();
    }

    private final Map<String, String> setupKeyPlain = new java.util.HashMap<>();

    private String createSetupKey() {
        TestHttp.Response r = http.post("/api/setup-keys", http.adminToken(), Map.of("name", unique("key"),
                "type", "reusable", "expires_in", 86400, "auto_groups", List.of(), "usage_limit", 0));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String id = r.json().get("id").asText();
        setupKeyPlain.put(id, r.json().get("key").asText());
        return id;
    }

    private void caughtUp() {
        assertThat(readYourWrites.awaitCaughtUp(WAIT)).as("read model caught up").isTrue();
    }

    private static String unique(String prefix) {
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    }
}

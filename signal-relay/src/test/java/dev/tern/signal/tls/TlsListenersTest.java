package dev.tern.signal.tls;

import dev.tern.signal.DataPathSettings;
import dev.tern.signal.SignalRelayNode;
import dev.tern.signal.SignalServer;
import dev.tern.signal.relay.RelayServer;
import dev.tern.protocol.relay.RelayTokens;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.testsupport.tls.TlsTrust;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signal and relay served over TLS from PEM files: verified clients get in, plaintext clients do not, reloads work. */
class TlsListenersTest {
    @TempDir
    Path dir;

    @Test
    void signalServesGrpcOverTlsOnlyAndNewConnectionsGetAReplacedCertificate() throws Exception {
        TestPki pki = new TestPki(dir);
        Certificates.Issued first = pki.issueServerCertificate();
        try (SignalServer server = new SignalServer(0).tls(ServerTls.fromPemFiles(pki.certFile, pki.keyFile)).start()) {
            assertThat(server.usesTls()).isTrue();
            SslContext trustTestCa = GrpcSslContexts.forClient().trustManager(pki.ca.certificate()).build();
            ManagedChannel tls = NettyChannelBuilder.forAddress("localhost", server.port()).sslContext(trustTestCa).build();
            ManagedChannel plaintext = NettyChannelBuilder.forAddress("localhost", server.port()).usePlaintext().build();
            try {
                // An unknown recipient: the call reaches the service, which answers NOT_FOUND-or-OK; only transport
                // failures would be UNAVAILABLE.
                EncryptedMessage probe = EncryptedMessage.newBuilder().setKey("a".repeat(43) + "=")
                        .setRemoteKey("b".repeat(43) + "=").setBody(ByteString.copyFromUtf8("x")).build();
                Status overTls = callStatus(tls, probe);
                assertThat(overTls.getCode()).isNotEqualTo(Status.Code.UNAVAILABLE);
                Status overPlaintext = callStatus(plaintext, probe);
                assertThat(overPlaintext.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            } finally {
                tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                plaintext.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            assertThat(TestPki.servedCertificate(pki.clientContext(), server.port()).getSerialNumber())
                    .isEqualTo(first.certificate().getSerialNumber());
            Certificates.Issued second = pki.issueServerCertificate();
            assertThat(second.certificate().getSerialNumber()).isNotEqualTo(first.certificate().getSerialNumber());
            assertThat(Certificates.fingerprint(TestPki.servedCertificate(pki.clientContext(), server.port())))
                    .isEqualTo(second.fingerprint());
        }
    }

    @Test
    void relayServesWssOnlyAndPicksUpReplacedFiles() throws Exception {
        TestPki pki = new TestPki(dir);
        Certificates.Issued first = pki.issueServerCertificate();
        RelayServer relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0),
                RelayTokens.fromSharedSecret("0123456789abcdef0123", Clock.systemUTC()), "rels://localhost:1")
                .tls(ServerTls.fromPemFiles(pki.certFile, pki.keyFile)).start();
        try {
            HttpClient verified = HttpClient.newBuilder().sslContext(pki.clientContext()).build();
            WebSocket socket = verified.newWebSocketBuilder()
                    .buildAsync(URI.create("wss://localhost:" + relay.port() + "/relay"), new WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS);
            socket.abort();

            assertThatThrownBy(() -> HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://localhost:" + relay.port() + "/relay"), new WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(IOException.class);

            // A client that trusts another CA refuses the relay's certificate.
            Certificates.Issued otherCa = Certificates.certificateAuthority("other", Duration.ofDays(1));
            HttpClient trustsOther = HttpClient.newBuilder()
                    .sslContext(TlsTrust.trusting(otherCa.certificate())).build();
            assertThatThrownBy(() -> trustsOther.newWebSocketBuilder()
                    .buildAsync(URI.create("wss://localhost:" + relay.port() + "/relay"), new WebSocket.Listener() { })
                    .get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class)
                    .hasStackTraceContaining("PKIX path building failed");

            assertThat(TestPki.servedCertificate(pki.clientContext(), relay.port()).getSerialNumber())
                    .isEqualTo(first.certificate().getSerialNumber());
            Certificates.Issued second = pki.issueServerCertificate();
            assertThat(TestPki.servedCertificate(pki.clientContext(), relay.port()).getSerialNumber())
                    .isEqualTo(second.certificate().getSerialNumber());
        } finally {
            relay.close();
        }
    }

    @Test
    void aHalfWrittenReplacementKeepsTheLastGoodCertificate() throws Exception {
        TestPki pki = new TestPki(dir);
        Certificates.Issued first = pki.issueServerCertificate();
        ReloadingKeyManager keys = ReloadingKeyManager.load(pki.certFile, pki.keyFile);
        // A renewal that has written the new certificate but not yet its key: the pair does not match.
        Certificates.Issued other = Certificates.serverCertificate(pki.ca, Duration.ofDays(1), "localhost");
        Path otherDir = Files.createDirectories(dir.resolve("other"));
        Certificates.writePem(otherDir.resolve("c.pem"), otherDir.resolve("k.pem"), other.keys(),
                java.util.List.of(other.certificate()));
        Files.copy(otherDir.resolve("c.pem"), pki.certFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(keys.certificate().getSerialNumber()).isEqualTo(first.certificate().getSerialNumber());
        // Then the key arrives: the new pair is served.
        Files.copy(otherDir.resolve("k.pem"), pki.keyFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(keys.certificate().getSerialNumber()).isEqualTo(other.certificate().getSerialNumber());
    }

    @Test
    void mismatchedOrMissingFilesAreRefusedAtStartWithAReason() throws Exception {
        TestPki pki = new TestPki(dir);
        pki.issueServerCertificate();
        Certificates.Issued other = Certificates.serverCertificate(pki.ca, Duration.ofDays(1), "localhost");
        Path otherKey = dir.resolve("other.key");
        Certificates.writePem(dir.resolve("other.crt"), otherKey, other.keys(), java.util.List.of(other.certificate()));
        assertThatThrownBy(() -> ServerTls.fromPemFiles(pki.certFile, otherKey))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong to");
        assertThatThrownBy(() -> ServerTls.fromPemFiles(pki.keyFile, pki.keyFile))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PEM certificate");
        assertThatThrownBy(() -> ServerTls.fromPemFiles(dir.resolve("missing.crt"), pki.keyFile))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.crt");
        assertThatThrownBy(() -> DataPathSettings.forNode(Map.of(DataPathSettings.TLS_CERT_FILE, pki.certFile.toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("go together");
    }

    @Test
    void theStandaloneNodeTakesTheTlsSettingsAndAdvertisesRels() throws Exception {
        TestPki pki = new TestPki(dir);
        Certificates.Issued served = pki.issueServerCertificate();
        Map<String, String> env = new HashMap<>(Map.of(
                "TERN_SIGNAL_PORT", "0", "TERN_STUN_PORT", "off", "TERN_RELAY_PORT", "0",
                "TERN_RELAY_SECRET", "0123456789abcdef0123",
                DataPathSettings.TLS_CERT_FILE, pki.certFile.toString(), DataPathSettings.TLS_KEY_FILE, pki.keyFile.toString()));
        try (SignalRelayNode node = SignalRelayNode.fromEnvironment(env).start()) {
            assertThat(node.usesTls()).isTrue();
            assertThat(TestPki.servedCertificate(pki.clientContext(), node.signalPort()).getSerialNumber())
                    .isEqualTo(served.certificate().getSerialNumber());
            assertThat(TestPki.servedCertificate(pki.clientContext(), node.relayPort()).getSerialNumber())
                    .isEqualTo(served.certificate().getSerialNumber());
        }
        env.put(DataPathSettings.RELAY_EXPOSED_ADDRESS, "rel://relay.example:33080");
        assertThatThrownBy(() -> SignalRelayNode.fromEnvironment(env))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rels://");
    }

    @Test
    void keysServeTlsEvenWhenBouncyCastleIsARegisteredProvider() {
        // acme4j needs "BC" registered; BC then names EC keys "ECDSA", which the JDK's TLS engine would not match.
        TestPki pki = new TestPki(dir);
        pki.issueServerCertificate();
        boolean added = java.security.Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()) != -1;
        try {
            ReloadingKeyManager keys = ReloadingKeyManager.load(pki.certFile, pki.keyFile);
            String alias = keys.chooseEngineServerAlias("EC", null, null);
            assertThat(alias).isNotNull();
            assertThat(keys.getPrivateKey(alias).getAlgorithm()).isEqualTo("EC");
        } finally {
            if (added) {
                java.security.Security.removeProvider("BC");
            }
        }
    }

    private static Status callStatus(ManagedChannel channel, EncryptedMessage message) {
        try {
            SignalExchangeGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).send(message);
            return Status.OK;
        } catch (RuntimeException e) {
            return Status.fromThrowable(e);
        }
    }
}

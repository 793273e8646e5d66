package dev.tern.agent.control;

import com.google.protobuf.ByteString;
import dev.tern.agent.common.Backoff;
import dev.tern.agent.common.TlsTrust;
import dev.tern.agent.relay.RelayClient;
import dev.tern.agent.relay.RelayInbox;
import dev.tern.protocol.management.HostConfig;
import dev.tern.protocol.relay.PeerId;
import dev.tern.protocol.relay.RelayTokens;
import dev.tern.protocol.signal.EncryptedMessage;
import dev.tern.protocol.signal.SignalExchangeGrpc;
import dev.tern.signal.SignalServer;
import dev.tern.signal.relay.RelayServer;
import dev.tern.signal.tls.Certificates;
import dev.tern.signal.tls.ServerTls;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The agent's channels to TLS servers (the real signal node and relay, serving a certificate from a test CA): with
 * that CA as --ca-file they connect; trusting only the system store or another CA they refuse the certificate.
 */
class TlsChannelsTest {
    @TempDir
    Path dir;

    private final Certificates.Issued ca = Certificates.certificateAuthority("agent test CA", Duration.ofDays(1));

    private ServerTls serverTls() {
        Certificates.Issued server = Certificates.serverCertificate(ca, Duration.ofDays(1), "localhost", "127.0.0.1");
        Certificates.writePem(dir.resolve("server.crt"), dir.resolve("server.key"), server.keys(),
                List.of(server.certificate()));
        return ServerTls.fromPemFiles(dir.resolve("server.crt"), dir.resolve("server.key"));
    }

    private Path caFile(Certificates.Issued authority, String name) {
        Path file = dir.resolve(name);
        Certificates.writePem(file, dir.resolve(name + ".key"), authority.keys(), List.of(authority.certificate()));
        return file;
    }

    @Test
    void httpsSignalIsReachedWithTheCaFileAndAnUntrustedCertificateIsRefused() throws Exception {
        try (SignalServer signal = new SignalServer(0).tls(serverTls()).start()) {
            HostConfig handedOut = HostConfig.newBuilder().setUri("localhost:" + signal.port())
                    .setProtocol(HostConfig.Protocol.HTTPS).build();
            Channels.Target target = Channels.signalTarget(handedOut);
            assertThat(target.tls()).isTrue();

            assertThat(send(target, TlsTrust.fromCaFile(caFile(ca, "ca.pem"))).getCode())
                    .isNotEqualTo(Status.Code.UNAVAILABLE);

            Status systemStore = send(target, TlsTrust.system());
            assertThat(systemStore.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(causes(systemStore)).contains("PKIX path building failed");

            Certificates.Issued otherCa = Certificates.certificateAuthority("other CA", Duration.ofDays(1));
            Status otherCaStatus = send(target, TlsTrust.fromCaFile(caFile(otherCa, "other.pem")));
            assertThat(otherCaStatus.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(causes(otherCaStatus)).contains("PKIX path building failed");

            // The https:// management URL takes the same path.
            Channels.Target management = Channels.parseManagementUrl("https://localhost:" + signal.port());
            assertThat(management.tls()).isTrue();
        }
    }

    @Test
    void relsRelayIsReachedWithTheCaFileAndNotWithoutIt() throws Exception {
        RelayTokens tokens = RelayTokens.fromSharedSecret("agent-tls-relay-secret", Clock.systemUTC());
        RelayServer relay = new RelayServer(new InetSocketAddress("127.0.0.1", 0), tokens, "rels://localhost:1")
                .tls(serverTls()).start();
        try {
            String url = "rels://localhost:" + relay.port();
            RelayInbox trusted = new RelayInbox();
            RelayInbox untrusted = new RelayInbox();
            Backoff fast = new Backoff(Duration.ofMillis(100), Duration.ofMillis(400));
            try (RelayClient withCa = new RelayClient("alice-wireguard-key=", trusted, fast,
                    TlsTrust.fromCaFile(caFile(ca, "ca.pem")));
                 RelayClient withoutCa = new RelayClient("bob-wireguard-key=", untrusted, fast, TlsTrust.system())) {
                withCa.configure(List.of(url), tokens.issue(Duration.ofMinutes(5), PeerId.ofPublicKey("alice-wireguard-key=")));
                withoutCa.configure(List.of(url), tokens.issue(Duration.ofMinutes(5), PeerId.ofPublicKey("bob-wireguard-key=")));
                await().atMost(Duration.ofSeconds(20)).until(withCa::connected);
                // The untrusted client has tried (and failed) at least twice by the time it reports disconnected
                // again after a connecting attempt; it never gets in.
                await().atMost(Duration.ofSeconds(20)).until(() -> untrusted.states.stream()
                        .filter("disconnected"::equals).count() >= 2);
                assertThat(withoutCa.connected()).isFalse();
                assertThat(relay.connectedPeers()).isEqualTo(1);
            }
        } finally {
            relay.close();
        }
    }

    @Test
    void aMissingOrEmptyCaFileIsAUsageError() throws Exception {
        assertThatThrownBy(() -> TlsTrust.fromCaFile(dir.resolve("nope.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot read --ca-file");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        assertThatThrownBy(() -> TlsTrust.fromCaFile(empty))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no certificate");
    }

    private static Status send(Channels.Target target, TlsTrust trust) throws InterruptedException {
        ManagedChannel channel = Channels.open(target, trust);
        try {
            SignalExchangeGrpc.newBlockingStub(channel).withDeadlineAfter(15, TimeUnit.SECONDS)
                    .send(EncryptedMessage.newBuilder().setKey("a".repeat(43) + "=").setRemoteKey("b".repeat(43) + "=")
                            .setBody(ByteString.copyFromUtf8("x")).build());
            return Status.OK;
        } catch (RuntimeException e) {
            return Status.fromThrowable(e);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String causes(Status status) {
        StringBuilder text = new StringBuilder(String.valueOf(status.getDescription()));
        for (Throwable cause = status.getCause(); cause != null; cause = cause.getCause()) {
            text.append(" | ").append(cause);
        }
        return text.toString();
    }
}

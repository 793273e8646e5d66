package dev.tern.api.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.protocol.management.Empty;
import dev.tern.protocol.management.ManagementServiceGrpc;
import dev.tern.signal.tls.Certificates;
import dev.tern.testsupport.process.TernServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tern-server started like an operator would, with TERN_TLS_CERT_FILE/KEY_FILE: REST, management gRPC, the
 * in-process signal node and relay all serve the configured certificate, none of them answers plaintext, and
 * replacing the PEM files switches every listener's certificate for new connections without a restart.
 */
class TlsServerProcessTest {
    @TempDir
    Path pemDir;

    @Test
    void everyListenerServesThePemCertificateRefusesPlaintextAndPicksUpReplacedFiles() throws Exception {
        TlsClients pki = new TlsClients(pemDir);
        Certificates.Issued first = pki.issue();
        int http = TernServerProcess.freePort();
        int grpc = TernServerProcess.freePort();
        int signal = TernServerProcess.freePort();
        int relay = TernServerProcess.freePort();
        try (TernServerProcess server = TernServerProcess.launch(TempDataDirInitializer.newDataDir(), Map.of(
                "TERN_HTTP_PORT", Integer.toString(http), "TERN_GRPC_PORT", Integer.toString(grpc),
                "TERN_SIGNAL_PORT", Integer.toString(signal), "TERN_RELAY_PORT", Integer.toString(relay),
                "TERN_TLS_CERT_FILE", pki.certFile.toString(), "TERN_TLS_KEY_FILE", pki.keyFile.toString()))) {
            server.awaitReady();
            assertThat(server.stdout()).contains("REST API listening on https://localhost:" + http + "/api")
                    .contains("TLS on every listener").doesNotContain("TLS IS OFF");

            // REST over TLS, verified against the test CA; plain HTTP on the same port gets no answer.
            HttpClient verified = HttpClient.newBuilder().sslContext(pki.trustingCa())
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> health = verified.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + http + "/actuator/health")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            // Tomcat answers a plaintext request on its TLS port with a bare 400 and closes; the API is not served.
            HttpResponse<String> plaintext = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(HttpRequest.newBuilder(URI.create("http://localhost:" + http + "/actuator/health"))
                            .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(plaintext.statusCode()).isEqualTo(400);
            assertThat(plaintext.body()).contains("requires TLS").doesNotContain("UP");

            // Management gRPC over TLS answers; a plaintext channel to the same port does not get through.
            ManagedChannel tlsChannel = NettyChannelBuilder.forAddress("localhost", grpc)
                    .sslContext(GrpcSslContexts.forClient().trustManager(pki.ca.certificate()).build()).build();
            ManagedChannel plainChannel = NettyChannelBuilder.forAddress("localhost", grpc).usePlaintext().build();
            try {
                ManagementServiceGrpc.newBlockingStub(tlsChannel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .isHealthy(Empty.getDefaultInstance());
                assertThatThrownBy(() -> ManagementServiceGrpc.newBlockingStub(plainChannel)
                        .withDeadlineAfter(20, TimeUnit.SECONDS).isHealthy(Empty.getDefaultInstance()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
            } finally {
                tlsChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                plainChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }

            for (int port : List.of(http, grpc, signal, relay)) {
                assertThat(Certificates.fingerprint(TlsClients.served(pki.trustingCa(), port)))
                        .as("certificate on port %d", port).isEqualTo(first.fingerprint());
            }

            Certificates.Issued second = pki.issue();
            assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
            for (int port : List.of(http, grpc, signal, relay)) {
                assertThat(TlsClients.served(pki.trustingCa(), port).getSerialNumber())
                        .as("certificate on port %d after the files were replaced", port)
                        .isEqualTo(second.certificate().getSerialNumber());
            }
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void unusablePemFilesStopStartUpWithOneLine() {
        Path missing = pemDir.resolve("missing.pem");
        try (TernServerProcess server = TernServerProcess.launch(TempDataDirInitializer.newDataDir(), Map.of(
                "TERN_TLS_CERT_FILE", missing.toString(), "TERN_TLS_KEY_FILE", missing.toString()))) {
            assertThat(server.awaitExit(Duration.ofSeconds(120))).isNotZero();
            assertThat(server.stderr()).contains("TERN_TLS_CERT_FILE/TERN_TLS_KEY_FILE: ").contains("missing.pem");
        }
    }
}

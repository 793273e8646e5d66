package dev.tern.api.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.api.support.TempDataDirInitializer;
import dev.tern.signal.tls.Certificates;
import dev.tern.signal.tls.PemFiles;
import dev.tern.testsupport.process.TernServerProcess;
import dev.tern.testsupport.tls.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tern-server with TERN_ACME_DOMAIN against a real ACME server (pebble on loopback): it starts on a stand-in
 * certificate, answers pebble's HTTP-01 validation on TERN_ACME_HTTP_PORT, obtains a certificate for the domain and
 * serves it on every listener without a restart.
 */
class AcmeServerProcessTest {
    @TempDir
    Path work;

    @Test
    void ternServerObtainsACertificateFromARealAcmeServerAndServesItOnEveryListener() throws Exception {
        int acmeHttp = TernServerProcess.freePort();
        int http = TernServerProcess.freePort();
        int grpc = TernServerProcess.freePort();
        int signal = TernServerProcess.freePort();
        int relay = TernServerProcess.freePort();
        Path dataDir = TempDataDirInitializer.newDataDir();
        try (Pebble pebble = Pebble.start(work, acmeHttp);
             TernServerProcess server = TernServerProcess.launch(dataDir, Map.of(
                     "TERN_HTTP_PORT", Integer.toString(http), "TERN_GRPC_PORT", Integer.toString(grpc),
                     "TERN_SIGNAL_PORT", Integer.toString(signal), "TERN_RELAY_PORT", Integer.toString(relay),
                     "TERN_ACME_DOMAIN", "localhost", "TERN_ACME_DIRECTORY", pebble.directoryUrl(),
                     "TERN_ACME_CA_FILE", pebble.listenerCaFile().toString(),
                     "TERN_ACME_HTTP_PORT", Integer.toString(acmeHttp), "TERN_ACME_EMAIL", "ops@example.com"))) {
            server.awaitReady();
            assertThat(server.stdout()).contains("TLS on every listener").contains("ACME (" + pebble.directoryUrl())
                    .doesNotContain("TLS IS OFF");

            // Only a certificate issued under pebble's root verifies: the self-signed stand-in does not.
            SSLContext trustPebble = TlsTrust.trusting(pebble.issuingRoot());
            AtomicReference<X509Certificate> issued = new AtomicReference<>();
            AtomicReference<IOException> lastFailure = new AtomicReference<>();
            try {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                        .until(() -> verifiedCertificate(trustPebble, http, issued, lastFailure));
            } catch (RuntimeException e) {
                throw new AssertionError("no ACME certificate served (last handshake: " + lastFailure.get()
                        + ")\n--- tern-server:\n" + server.stdout()
                        + "\n--- pebble:\n" + pebble.log(), e);
            }
            X509Certificate served = issued.get();
            assertThat(served.getIssuerX500Principal().getName()).contains("Pebble");
            assertThat(served.getSubjectAlternativeNames()).anySatisfy(name -> assertThat(name.get(1)).isEqualTo("localhost"));
            for (int port : List.of(grpc, signal, relay)) {
                assertThat(Certificates.fingerprint(TlsClients.served(trustPebble, port)))
                        .as("certificate on port %d", port).isEqualTo(Certificates.fingerprint(served));
            }
            // Kept in the data directory, so a restart serves it at once instead of asking the CA again.
            assertThat(PemFiles.readCertificates(dataDir.resolve("acme/cert.pem")).get(0)).isEqualTo(served);
            assertThat(server.stdout()).contains("ACME: certificate for localhost issued by");
        }
    }

    private static boolean verifiedCertificate(SSLContext trust, int port, AtomicReference<X509Certificate> issued,
                                               AtomicReference<IOException> lastFailure) {
        try {
            issued.set(TlsClients.served(trust, port));
            return true;
        } catch (IOException stillTheStandIn) {
            lastFailure.set(stillTheStandIn);
            return false;
        }
    }
}

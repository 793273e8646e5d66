package dev.tern.api.tls;

import static org.awaitility.Awaitility.await;

import dev.tern.testsupport.process.ChildProcess;
import dev.tern.testsupport.process.TernServerProcess;
import dev.tern.testsupport.tls.TlsTrust;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Let's Encrypt's test ACME server, built from its Go module at a pinned version by {@code scripts/go-tool.sh}
 * (cached under ~/.cache/tern-test-tools) and run on loopback. Its HTTP-01 validation really connects to the
 * given port on the domain's address. Fails loudly when Go or the build is missing: tests never skip.
 */
final class Pebble implements AutoCloseable {
    static final String MODULE = "github.com/letsencrypt/pebble/v2";
    static final String VERSION = "v2.10.3";

    private final ChildProcess process;
    private final Path moduleDir;
    private final int port;
    private final int managementPort;

    private Pebble(ChildProcess process, Path moduleDir, int port, int managementPort) {
        this.process = process;
        this.moduleDir = moduleDir;
        this.port = port;
        this.managementPort = managementPort;
    }

    /** Starts pebble; its VA validates HTTP-01 challenges at {@code httpChallengePort} of the ordered domain. */
    static Pebble start(Path workDir, int httpChallengePort) throws IOException {
        Path binary = Path.of(run(List.of("bash", repositoryRoot().resolve("scripts/go-tool.sh").toString(),
                MODULE + "/cmd/pebble@" + VERSION)).strip());
        Path moduleDir = Path.of(run(List.of("go", "env", "GOMODCACHE")).strip()).resolve(MODULE + "@" + VERSION);
        if (!Files.isRegularFile(moduleDir.resolve("test/certs/localhost/cert.pem"))) {
            throw new IllegalStateException("pebble's module source is not in " + moduleDir + " after building it");
        }
        int port = TernServerProcess.freePort();
        int managementPort = TernServerProcess.freePort();
        Path config = workDir.resolve("pebble-config.json");
        Files.writeString(config, """
                {"pebble": {
                  "listenAddress": "127.0.0.1:%d",
                  "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s",
                  "privateKey": "%s",
                  "httpPort": %d,
                  "tlsPort": %d,
                  "ocspResponderURL": "",
                  "externalAccountBindingRequired": false,
                  "retryAfter": {"authz": 1, "order": 1}
                }}
                """.formatted(port, managementPort, moduleDir.resolve("test/certs/localhost/cert.pem"),
                moduleDir.resolve("test/certs/localhost/key.pem"), httpChallengePort, TernServerProcess.freePort()));
        // No random sleeps before validation, no deliberately rejected nonces: the test checks issuance, not retries.
        ChildProcess process = ChildProcess.start("pebble", List.of(binary.toString(), "-config", config.toString()),
                Map.of("PEBBLE_VA_NOSLEEP", "1", "PEBBLE_WFE_NONCEREJECT", "0"), workDir.resolve("pebble.log"));
        Pebble pebble = new Pebble(process, moduleDir, port, managementPort);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("pebble exited: " + process.stdout());
                }
                return listening(port) && listening(managementPort);
            });
        } catch (RuntimeException e) {
            pebble.close();
            throw e;
        }
        return pebble;
    }

    String directoryUrl() {
        return "https://localhost:" + port + "/dir";
    }

    /** The CA of pebble's own HTTPS certificate (not of the certificates it issues). */
    Path listenerCaFile() {
        return moduleDir.resolve("test/certs/pebble.minica.pem");
    }

    /** The root pebble issues under; made fresh at every pebble start. */
    X509Certificate issuingRoot() throws IOException, InterruptedException, CertificateException {
        X509Certificate minica;
        try (InputStream in = Files.newInputStream(listenerCaFile())) {
            minica = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        HttpClient client = HttpClient.newBuilder().sslContext(TlsTrust.trusting(minica)).build();
        HttpResponse<byte[]> root = client.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + managementPort + "/roots/0")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(root.body()));
    }

    String log() {
        return process.stdout();
    }

    @Override
    public void close() {
        process.close(Duration.ofSeconds(10));
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("scripts/go-tool.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("scripts/go-tool.sh not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** Runs a command, returns its stdout; a failure (Go missing, build failing) fails the test with stderr. */
    private static String run(List<String> command) throws IOException {
        // stderr to a file: a build prints a lot there, and reading one pipe after the other could block.
        Path stderr = Files.createTempFile("tern-go-tool", ".stderr");
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        try {
            process.getOutputStream().close();
            String stdout;
            try (InputStream out = process.getInputStream()) {
                stdout = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (Go is needed to build pebble "
                        + "for the ACME tests):\n" + Files.readString(stderr));
            }
            return stdout;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        } finally {
            process.destroy();
            Files.deleteIfExists(stderr);
        }
    }
}

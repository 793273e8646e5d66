package dev.tern.e2e.support;

import static dev.tern.e2e.support.Mesh.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.testsupport.netns.Shell;
import dev.tern.testsupport.netns.TestNetwork;
import dev.tern.testsupport.process.ChildProcess;
import dev.tern.testsupport.process.TernServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * tern-server as every end-to-end test runs it: the packaged {@code tern-server.jar}, alone in its test network's
 * server namespace and therefore at its default ports (REST 8080, management 33073, signal, relay and STUN where
 * agents and clients expect them), plaintext or over TLS with the test's private CA, its output in
 * {@code target/e2e-logs/<name>.log}. It keeps one data directory, so {@link #restart()} brings the same server
 * (same key, same peers) back.
 */
public final class TernServer {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /**
     * A test server serves a handful of peers: C1 alone (as the api process tests and the e2e agents run) halves
     * the CPU its start-up takes (measured: about 12 s instead of 23 s of CPU to "tern-server started"), which on
     * two cores is most of its start-up time, and every scenario starts it at least once.
     */
    private static final String[] JVM_OPTIONS = {"-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"};

    private final TestNetwork net;
    private final String name;
    private final TestPki pki;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Path dataDir;
    private TernServerProcess process;

    private TernServer(TestNetwork net, String name, TestPki pki, Map<String, String> env) {
        this.net = net;
        this.name = name;
        this.pki = pki;
        this.env.putAll(Map.of("TERN_HTTP_PORT", "8080", "TERN_GRPC_PORT", "33073"));
        if (pki != null) {
            this.env.putAll(Map.of("TERN_TLS_CERT_FILE", pki.certFile().toString(),
                    "TERN_TLS_KEY_FILE", pki.keyFile().toString()));
        }
        this.env.putAll(env);
        try {
            this.dataDir = Files.createTempDirectory("tern-e2e-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plaintext server ({@code http://}, {@code rel://}); {@code env}: further TERN_* settings. */
    public static TernServer plain(TestNetwork net, String name, Map<String, String> env) {
        return new TernServer(net, name, null, env);
    }

    /** A server whose every listener speaks TLS only, with a certificate {@code pki}'s CA signed for its address. */
    public static TernServer tls(TestNetwork net, String name, TestPki pki, Map<String, String> env) {
        return new TernServer(net, name, pki, env);
    }

    /**
     * Launches the server and waits until its REST API answers; over TLS, only a verified handshake counts, so a
     * server that came up without TLS never counts as up.
     */
    public TernServer start() {
        process = TernServerProcess.fromJar(Path.of(ChildProcess.artifact("../api/target/tern-server.jar")))
                .wrappedIn(Shell.inNamespace(net.serverNamespace())).jvmOptions(JVM_OPTIONS).defaultPorts()
                .env(env)
                .log(name, log(name))
                .launch(dataDir);
        Rest probe = rest();
        await("tern-server up").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    assertThat(process.isAlive()).as("tern-server exited:\n%s", process.process().logTail(40)).isTrue();
                    return probe.reachable();
                });
        return this;
    }

    /** Stops the server and every process it started (its embedded PostgreSQL); the data directory stays. */
    public void stop() {
        if (process != null) {
            process.process().stopTree(STOP_TIMEOUT);
        }
    }

    public void restart() {
        stop();
        start();
    }

    /**
     * Creates the account's owner through {@code /api/setup} (only possible on a fresh server) and returns a REST
     * client that calls as that owner, with the personal access token the setup answered.
     */
    public Rest setUpOwner(String email, String displayName) {
        Rest rest = rest();
        JsonNode setup = rest.post("/api/setup", Map.of("email", email, "password", "e2e-password-1",
                "name", displayName, "create_pat", true));
        rest.token(setup.get("personal_access_token").asText());
        return rest;
    }

    /** A REST client without a token; over TLS it trusts the test's CA only. */
    public Rest rest() {
        return pki == null ? new Rest(restUrl()) : new Rest(restUrl(), pki.trustingCaOnly());
    }

    public String restUrl() {
        return scheme() + "://" + net.serverAddress() + ":8080";
    }

    public String managementUrl() {
        return scheme() + "://" + net.serverAddress() + ":33073";
    }

    private String scheme() {
        return pki == null ? "http" : "https";
    }

    public String logTail(int lines) {
        return process.process().logTail(lines);
    }
}

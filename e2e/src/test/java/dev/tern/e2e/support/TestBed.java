package dev.tern.e2e.support;

import dev.tern.testsupport.netns.TestNetwork;
import dev.tern.testsupport.process.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.function.Function;

/**
 * What every end-to-end scenario starts from: a {@link TestNetwork} of its own (the run id names its namespaces and
 * links, the subnet octet keeps its addresses apart from the other classes'), tern-server from its jar in that
 * network's server namespace, plaintext or over TLS with a private CA made for the server's address, and the
 * account's owner, as whom {@link #rest()} calls. {@link #close()} stops the server and removes the network.
 *
 * <p>Each scenario class has a bed of its own: tern-server keeps one account, and the classes' peers, groups, routes
 * (two of them route the same 10.10.10.0/24 site) and policies would meet in it.
 */
public final class TestBed implements AutoCloseable {
    private final TestNetwork net;
    private final TestPki pki;
    private final TernServer server;
    private final Rest rest;

    private TestBed(TestNetwork net, TestPki pki, TernServer server, Rest rest) {
        this.net = net;
        this.pki = pki;
        this.server = server;
        this.rest = rest;
    }

    /** A plaintext server ({@code http://}, {@code rel://}); {@code env}: further TERN_* settings. */
    public static TestBed plain(String runId, int subnetOctet, String serverName, Map<String, String> env,
                                String ownerEmail, String ownerName) {
        return start(runId, subnetOctet, serverName, false, network -> env, ownerEmail, ownerName);
    }

    /**
     * A server whose every listener speaks TLS only, with a certificate the bed's {@link #pki()} signed;
     * {@code env}: further TERN_* settings, which may name the network's addresses.
     */
    public static TestBed tls(String runId, int subnetOctet, String serverName,
                              Function<TestNetwork, Map<String, String>> env, String ownerEmail, String ownerName) {
        return start(runId, subnetOctet, serverName, true, env, ownerEmail, ownerName);
    }

    private static TestBed start(String runId, int subnetOctet, String serverName, boolean tls,
                                 Function<TestNetwork, Map<String, String>> env, String ownerEmail,
                                 String ownerName) {
        ChildProcess.artifact("../api/target/tern-server.jar"); // no jar: fail before any namespace exists
        TestNetwork net = new TestNetwork(runId, subnetOctet);
        TernServer server = null;
        try {
            TestPki pki = tls ? new TestPki(Files.createTempDirectory("tern-e2e-pki-"), net.serverAddress()) : null;
            server = tls ? TernServer.tls(net, serverName, pki, env.apply(net))
                    : TernServer.plain(net, serverName, env.apply(net));
            server.start();
            return new TestBed(net, pki, server, server.setUpOwner(ownerEmail, ownerName));
        } catch (IOException e) {
            close(server, net);
            throw new UncheckedIOException(e);
        } catch (RuntimeException | Error e) {
            // the caller never gets the bed to close: leave no server and no namespaces behind
            close(server, net);
            throw e;
        }
    }

    public TestNetwork net() {
        return net;
    }

    /** The private CA that signed a TLS server's certificate; null for a plaintext server. */
    public TestPki pki() {
        return pki;
    }

    public TernServer server() {
        return server;
    }

    /** A REST client calling as the account's owner. */
    public Rest rest() {
        return rest;
    }

    /** Stops tern-server (its data directory stays, with its log) and removes the network's namespaces and links. */
    @Override
    public void close() {
        close(server, net);
    }

    private static void close(TernServer server, TestNetwork net) {
        try {
            if (server != null) {
                server.stop();
            }
        } finally {
            net.close();
        }
    }
}

package dev.tern.api.datapath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;
import dev.tern.api.tls.ListenerTls;
import dev.tern.protocol.management.HostConfig;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which signal address peers are handed, and where the in-process signal node listens. */
class EmbeddedDataPathNodeTest {

    /** The node and what peers are handed, as tern-server wires them. */
    private record Endpoint(EmbeddedDataPathNode node, PeerDataPathConfig handOut) {
    }

    private static Endpoint endpoint(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.putIfAbsent("tern.data-dir", "target/signal-endpoint-test");
        // These tests are about signal: keep the node's STUN and relay off the standard ports other servers use.
        all.putIfAbsent("tern.stun-port", "off");
        all.putIfAbsent("tern.relay-port", "0");
        TernSettings settings = TernSettings.from(Map.of(), all::get);
        EmbeddedDataPathNode node = new EmbeddedDataPathNode(settings, ListenerTls.plaintext(), Clock.systemUTC());
        return new Endpoint(node, new PeerDataPathConfig(settings, node));
    }

    @Test
    void anExternalSignalUrlIsHandedOutAsHostPortWithItsProtocol() {
        Endpoint https = endpoint(Map.of("tern.signal-url", "https://signal.example.com"));
        assertThat(https.node().runsInProcess()).isFalse();
        assertThat(https.handOut().signal("mgmt.example.com")).isEqualTo(HostConfig.newBuilder()
                .setUri("signal.example.com:443").setProtocol(HostConfig.Protocol.HTTPS).build());

        Endpoint http = endpoint(Map.of("tern.signal-url", "http://10.0.0.5:10000"));
        assertThat(http.handOut().signal(null)).isEqualTo(HostConfig.newBuilder()
                .setUri("10.0.0.5:10000").setProtocol(HostConfig.Protocol.HTTP).build());
    }

    @Test
    void theInProcessNodeIsReachedAtTheHostThePeerUsedForManagement() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        Endpoint local = endpoint(Map.of("tern.signal-port", Integer.toString(free)));
        local.node().start();
        try {
            assertThat(local.node().signalPort()).isEqualTo(free);
            assertThat(local.handOut().signal("10.1.2.3").getUri()).isEqualTo("10.1.2.3:" + free);
            assertThat(local.handOut().signal("fd00::1").getUri()).isEqualTo("[fd00::1]:" + free);
            assertThat(local.handOut().signal(null).getUri()).isEqualTo("localhost:" + free);
            assertThat(local.handOut().signal("x").getProtocol()).isEqualTo(HostConfig.Protocol.HTTP);
        } finally {
            local.node().stop();
        }
        assertThat(local.node().isRunning()).isFalse();
    }

    @Test
    void aServerOnAFreeGrpcPortPutsItsSignalNodeOnAFreePortToo() {
        Endpoint testServer = endpoint(Map.of("tern.grpc-port", "0"));
        testServer.node().start();
        try {
            assertThat(testServer.node().signalPort()).isPositive().isNotEqualTo(10000);
        } finally {
            testServer.node().stop();
        }
    }

    @Test
    void aTakenSignalPortIsAOneLineStartupFailureNamingTheVariable() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Endpoint endpoint = endpoint(Map.of("tern.signal-port", Integer.toString(taken.getLocalPort())));

            assertThatThrownBy(endpoint.node()::start).isInstanceOf(StartupFailure.class)
                    .hasMessageStartingWith("signal cannot listen on port " + taken.getLocalPort())
                    .hasMessageContaining("TERN_SIGNAL_PORT")
                    .hasMessageNotContaining("\n");
            assertThat(endpoint.node().isRunning()).isFalse();
        }
    }
}

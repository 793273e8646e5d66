package dev.tern.api.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.api.config.StartupFailure;
import dev.tern.api.config.TernSettings;
import dev.tern.protocol.management.HostConfig;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which signal address peers are handed, and where the in-process signal node listens. */
class SignalEndpointTest {

    private static SignalEndpoint endpoint(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.putIfAbsent("tern.data-dir", "target/signal-endpoint-test");
        return new SignalEndpoint(TernSettings.from(Map.of(), all::get));
    }

    @Test
    void anExternalSignalUrlIsHandedOutAsHostPortWithItsProtocol() {
        SignalEndpoint https = endpoint(Map.of("tern.signal-url", "https://signal.example.com"));
        assertThat(https.runsInProcess()).isFalse();
        assertThat(https.hostConfig("mgmt.example.com")).isEqualTo(HostConfig.newBuilder()
                .setUri("signal.example.com:443").setProtocol(HostConfig.Protocol.HTTPS).build());

        SignalEndpoint http = endpoint(Map.of("tern.signal-url", "http://10.0.0.5:10000"));
        assertThat(http.hostConfig(null)).isEqualTo(HostConfig.newBuilder()
                .setUri("10.0.0.5:10000").setProtocol(HostConfig.Protocol.HTTP).build());
    }

    @Test
    void theInProcessNodeIsReachedAtTheHostThePeerUsedForManagement() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0)) {
            free = probe.getLocalPort();
        }
        SignalEndpoint local = endpoint(Map.of("tern.signal-port", Integer.toString(free)));
        local.start();
        try {
            assertThat(local.inProcessPort()).isEqualTo(free);
            assertThat(local.hostConfig("10.1.2.3").getUri()).isEqualTo("10.1.2.3:" + free);
            assertThat(local.hostConfig("fd00::1").getUri()).isEqualTo("[fd00::1]:" + free);
            assertThat(local.hostConfig(null).getUri()).isEqualTo("localhost:" + free);
            assertThat(local.hostConfig("x").getProtocol()).isEqualTo(HostConfig.Protocol.HTTP);
        } finally {
            local.stop();
        }
        assertThat(local.isRunning()).isFalse();
    }

    @Test
    void aServerOnAFreeGrpcPortPutsItsSignalNodeOnAFreePortToo() {
        SignalEndpoint testServer = endpoint(Map.of("tern.grpc-port", "0"));
        testServer.start();
        try {
            assertThat(testServer.inProcessPort()).isPositive().isNotEqualTo(10000);
        } finally {
            testServer.stop();
        }
    }

    @Test
    void aTakenSignalPortIsAOneLineStartupFailureNamingTheVariable() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            SignalEndpoint endpoint = endpoint(Map.of("tern.signal-port", Integer.toString(taken.getLocalPort())));

            assertThatThrownBy(endpoint::start).isInstanceOf(StartupFailure.class)
                    .hasMessageStartingWith("signal cannot listen on port " + taken.getLocalPort())
                    .hasMessageContaining("TERN_SIGNAL_PORT")
                    .hasMessageNotContaining("\n");
            assertThat(endpoint.isRunning()).isFalse();
        }
    }
}
